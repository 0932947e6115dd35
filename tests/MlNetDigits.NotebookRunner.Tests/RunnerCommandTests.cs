namespace MlNetDigits.NotebookRunner.Tests;

[Collection(KernelCollection.Name)]
public sealed class RunnerCommandTests
{
    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await RunnerCommand.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("run", "--help")]
    public async Task Help_PrintsUsageAndExitsZero(params string[] args)
    {
        var (code, output, _) = await Run(args);

        Assert.Equal(0, code);
        Assert.Contains("run [--write | --check] NOTEBOOK.ipynb", output, StringComparison.Ordinal);
        Assert.Contains(OutputNormalizer.VaryMarker, output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], "Give a command: run.")]
    [InlineData(new[] { "check", "a.ipynb" }, "Unknown command 'check'")]
    [InlineData(new[] { "run" }, "Give at least one notebook")]
    [InlineData(new[] { "run", "--verbose", "a.ipynb" }, "Unknown option '--verbose'")]
    [InlineData(new[] { "run", "--write", "--check", "a.ipynb" }, "--write and --check exclude each other")]
    [InlineData(new[] { "run", "notes.txt" }, "expected a .ipynb file")]
    [InlineData(new[] { "run", "/no/such/folder/x.ipynb" }, "does not exist")]
    public async Task BadUsage_ExitsTwoSayingWhatIsWrong(string[] args, string message)
    {
        var (code, _, error) = await Run(args);

        Assert.Equal(2, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Contains("Usage:", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_GivenSeveralNotebooks_RunsEachInAProcessOfItsOwn_AndCountsTheFailures()
    {
        using var first = new TestNotebook("AppDomain.CurrentDomain.SetData(\"mlnd-test\", \"left by the first notebook\");");
        using var second = new TestNotebook(
            "if (AppDomain.CurrentDomain.GetData(\"mlnd-test\") is not null) throw new Exception(\"state leaked from the first notebook\");\n" +
            "throw new InvalidOperationException(\"second fails in a fresh process\");");

        var (code, output, error) = await Run("run", first.Path, second.Path);

        Assert.Equal(1, code);
        Assert.Contains($"{first.Path}: 1 code cells in", output, StringComparison.Ordinal);
        Assert.Contains($"{second.Path}: cell 2 failed: System.InvalidOperationException: second fails in a fresh process", error, StringComparison.Ordinal);
        Assert.Contains("notebooks: 1 passed, 1 failed", error, StringComparison.Ordinal);
    }
}

namespace MlNetDigits.Cli.Tests.Commands;

public sealed class CommandHelpTests
{
    [Theory]
    [InlineData("train", new[] { "--trainer", "--preset", "--epochs", "--optimizer", "--data", "--seed", "--threads", "--backend", "--checkpoint", "--resume", "--out", "--force", "--json" })]
    [InlineData("evaluate", new[] { "--model", "--data", "--report", "--json" })]
    [InlineData("compare", new[] { "--data", "--report", "--json", "--models", "--preset", "--epochs", "--sdca-iterations", "--backend" })]
    [InlineData("predict", new[] { "--model", "FILE_OR_DIR", "--json", "--threshold" })]
    [InlineData("export", new[] { "--onnx", "MODEL.zip", "OUT.onnx", "--force", "ConvertToOnnx", "byte for byte" })]
    public async Task Help_ListsEveryOptionOfTheCommand(string command, string[] options)
    {
        var (code, output, error) = await CliRunner.RunAsync([command, "--help"]);

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Contains($"mlnetdigits {command}", output);
        foreach (var option in options)
            Assert.Contains(option, output);
    }

    [Fact]
    public async Task RootHelp_ListsEveryCommand()
    {
        var (code, output, _) = await CliRunner.RunAsync(["--help"]);

        Assert.Equal(0, code);
        foreach (var command in new[] { "data", "train", "evaluate", "compare", "predict", "export" })
            Assert.Matches($@"(?m)^\s+{command}\s", output);
    }
}

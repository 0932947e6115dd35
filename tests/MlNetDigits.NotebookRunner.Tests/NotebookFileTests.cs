using System.Text.Json.Nodes;
using static MlNetDigits.NotebookRunner.Tests.TestNotebooks;

namespace MlNetDigits.NotebookRunner.Tests;

public sealed class NotebookFileTests : IDisposable
{
    private static readonly HashSet<string> OutputTypes = ["stream", "display_data", "execute_result", "error"];

    private readonly TestNotebooks _notebooks = new();

    public void Dispose() => _notebooks.Dispose();

    [Fact]
    public async Task WrittenNotebook_IsValidNbformat4WithEveryOutputKind()
    {
        var notebook = Make("md:# outputs", "Console.WriteLine(\"text\");\ndisplay(3.5);\n\"result\"", "throw new ArgumentException(\"bad\");");
        var path = _notebooks.Save(notebook);
        await new NotebookExecutor().RunAsync(notebook, path);
        notebook.Save(path);

        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        Assert.Equal(4, root["nbformat"]!.GetValue<int>());
        Assert.True(root["nbformat_minor"]!.GetValue<int>() >= 0);
        foreach (var cell in root["cells"]!.AsArray())
        {
            Assert.Contains(cell!["cell_type"]!.GetValue<string>(), new[] { "code", "markdown" });
            Assert.NotNull(cell["metadata"]);
            Assert.All(cell["source"]!.AsArray(), l => Assert.IsType<string>(l!.GetValue<string>()));
            if (cell["cell_type"]!.GetValue<string>() != "code")
            {
                Assert.Null(cell["outputs"]);
                continue;
            }
            foreach (var output in cell["outputs"]!.AsArray())
            {
                var type = output!["output_type"]!.GetValue<string>();
                Assert.Contains(type, OutputTypes);
                switch (type)
                {
                    case "stream":
                        Assert.Contains(output["name"]!.GetValue<string>(), new[] { "stdout", "stderr" });
                        Assert.IsType<JsonArray>(output["text"]);
                        break;
                    case "display_data" or "execute_result":
                        Assert.IsType<JsonObject>(output["data"]);
                        Assert.IsType<JsonObject>(output["metadata"]);
                        Assert.NotNull(output["data"]!["text/plain"]);
                        Assert.Equal(type == "execute_result", output.AsObject().ContainsKey("execution_count"));
                        break;
                    case "error":
                        Assert.Equal("System.ArgumentException", output["ename"]!.GetValue<string>());
                        Assert.Equal("bad", output["evalue"]!.GetValue<string>());
                        Assert.NotEmpty(output["traceback"]!.AsArray());
                        break;
                }
            }
        }
        var kinds = root["cells"]!.AsArray().Where(c => c!["outputs"] is not null).SelectMany(c => c!["outputs"]!.AsArray()).Select(o => o!["output_type"]!.GetValue<string>());
        Assert.Equal(["stream", "display_data", "execute_result", "error"], kinds);
    }

    [Fact]
    public void CreatedNotebook_HasThePolyglotCSharpMetadata()
    {
        var notebook = Make("1");

        Assert.Empty(notebook.CheckPolyglotMetadata());
        var metadata = notebook.Root["metadata"]!;
        Assert.Equal(".net-csharp", metadata["kernelspec"]!["name"]!.GetValue<string>());
        Assert.Equal(".NET (C#)", metadata["kernelspec"]!["display_name"]!.GetValue<string>());
        Assert.Equal("C#", metadata["kernelspec"]!["language"]!.GetValue<string>());
        Assert.Equal("csharp", metadata["language_info"]!["name"]!.GetValue<string>());
        Assert.Equal("csharp", metadata["polyglot_notebook"]!["kernelInfo"]!["defaultKernelName"]!.GetValue<string>());
        Assert.Equal("csharp", notebook.Cells[0]!["metadata"]!["polyglot_notebook"]!["kernelName"]!.GetValue<string>());
    }

    [Fact]
    public void CheckPolyglotMetadata_NamesWhatIsMissing_AndEnsureFixesIt()
    {
        var notebook = Notebook.Parse("""
            {"cells": [{"cell_type": "code", "metadata": {}, "source": ["1"], "outputs": [], "execution_count": null}],
             "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 2}
            """);

        var problems = notebook.CheckPolyglotMetadata();
        Assert.Contains(problems, p => p.Contains("metadata.kernelspec.name should be \".net-csharp\"; found \"python3\"", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("cell 1: metadata.polyglot_notebook.kernelName", StringComparison.Ordinal));

        notebook.EnsurePolyglotMetadata();
        Assert.Empty(notebook.CheckPolyglotMetadata());
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[1, 2]", "expected a JSON object")]
    [InlineData("{\"nbformat\": 3, \"cells\": []}", "expected nbformat 4, found 3")]
    [InlineData("{\"nbformat\": 4}", "expected a \"cells\" array")]
    public void Parse_RefusesWhatIsNotANotebook(string json, string message)
    {
        var e = Assert.Throws<InvalidNotebookException>(() => Notebook.Parse(json));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public async Task Command_CheckRunsWithoutWriting_AndFailsNamingTheCell()
    {
        var good = _notebooks.Save(Make("Console.WriteLine(\"fine\");"), "good.ipynb");
        var bad = _notebooks.Save(Make("md:x", "var a = 1;", "throw new Exception(\"broken here\");"), "bad.ipynb");
        var before = File.ReadAllText(bad);
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var exit = await RunnerCommand.RunAsync(["--check", good, bad], stdout, stderr);

        Assert.Equal(1, exit);
        Assert.Equal(before, File.ReadAllText(bad));
        Assert.Contains("good.ipynb: 1 code cells ran", stdout.ToString());
        Assert.Contains("bad.ipynb: failed at cell 3, line 1: System.Exception: broken here", stderr.ToString());
    }

    [Fact]
    public async Task Command_WritesOutputsBack_AndExitsZero()
    {
        var path = _notebooks.Save(Make("6 * 7"), "write.ipynb");

        var exit = await RunnerCommand.RunAsync([path], new StringWriter(), new StringWriter());

        Assert.Equal(0, exit);
        var written = Notebook.Load(path);
        Assert.Equal("42", Text(Outputs(written, 0)[0]!["data"]!["text/plain"]));
    }

    [Fact]
    public async Task Command_OutputFolderLeavesTheInputAsItWas()
    {
        var path = _notebooks.Save(Make("6 * 7"), "in/copy.ipynb");
        var before = File.ReadAllText(path);
        var folder = Path.Combine(_notebooks.Folder, "out");

        var exit = await RunnerCommand.RunAsync(["--output", folder, path], new StringWriter(), new StringWriter());

        Assert.Equal(0, exit);
        Assert.Equal(before, File.ReadAllText(path));
        Assert.Equal("42", Text(Outputs(Notebook.Load(Path.Combine(folder, "copy.ipynb")), 0)[0]!["data"]!["text/plain"]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("--frobnicate x.ipynb")]
    [InlineData("--check --output dir x.ipynb")]
    [InlineData("x.ipynb --output")]
    public async Task Command_BadUsageExitsTwo(string commandLine)
    {
        var args = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var stderr = new StringWriter();

        Assert.Equal(2, await RunnerCommand.RunAsync(args, new StringWriter(), stderr));
        Assert.NotEmpty(stderr.ToString());
    }

    [Fact]
    public async Task Command_CheckFailsOnMissingPolyglotMetadata()
    {
        var path = Path.Combine(_notebooks.Folder, "plain.ipynb");
        File.WriteAllText(path, """{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 2}""");
        var stderr = new StringWriter();

        Assert.Equal(1, await RunnerCommand.RunAsync(["--check", path], new StringWriter(), stderr));
        Assert.Contains("metadata.kernelspec.name should be \".net-csharp\"", stderr.ToString());
    }
}

using System.Text.Json.Nodes;

namespace MlNetDigits.NotebookRunner.Tests;

[Collection(KernelCollection.Name)]
public sealed class NotebookExecutorTests
{
    private static string Texts(JsonArray outputs, string field) =>
        string.Join("|", outputs.Select(o => o![field] is JsonArray lines ? string.Concat(lines.Select(l => (string?)l)) : (string?)o![field]));

    [Fact]
    public async Task Write_StoresStreamsDisplaysAndTheReturnValue_InTheOrderTheyHappened()
    {
        using var notebook = new TestNotebook(
            "Console.WriteLine(\"to stdout\");\nConsole.WriteLine(\"again\");\nConsole.Error.WriteLine(\"to stderr\");\ndisplay(\"shown\");\n40 + 2",
            "var x = 1;");

        var result = await NotebookExecutor.RunAsync(notebook.Path, RunMode.Write);

        Assert.True(result.Succeeded, result.Failure);
        Assert.True(result.Written);
        var outputs = notebook.Outputs(1);
        Assert.Equal(["stream", "stream", "display_data", "execute_result"], outputs.Select(o => (string?)o!["output_type"]));
        Assert.Equal(["stdout", "stderr"], outputs.Take(2).Select(o => (string?)o!["name"]));
        Assert.Equal("to stdout\nagain\n|to stderr\n", Texts(new JsonArray(outputs.Take(2).Select(o => o!.DeepClone()).ToArray()), "text"));
        Assert.Equal("shown", string.Concat(((JsonArray)outputs[2]!["data"]!["text/plain"]!).Select(l => (string?)l)));
        var returned = string.Concat(((JsonArray)outputs[3]!["data"]!["text/html"]!).Select(l => (string?)l));
        Assert.Contains("<pre>42</pre>", returned, StringComparison.Ordinal);
        Assert.Equal(1, (int?)outputs[3]!["execution_count"]);
        Assert.Empty(notebook.Outputs(2));
        Assert.Equal(2, (int?)notebook.Json["cells"]![2]!["execution_count"]);
    }

    [Fact]
    public async Task Write_KeepsCellIdsAndMetadata_AndRewritesNothingOnARerun()
    {
        using var notebook = new TestNotebook("Console.WriteLine(DateTime.UnixEpoch.AddDays(1).ToString(\"yyyy-MM-dd\"))", "Math.Sqrt(2)");

        Assert.True((await NotebookExecutor.RunAsync(notebook.Path, RunMode.Write)).Succeeded);
        var first = notebook.Text;
        var again = await NotebookExecutor.RunAsync(notebook.Path, RunMode.Write);

        Assert.True(again.Succeeded, again.Failure);
        Assert.False(again.Written);
        Assert.Equal(first, notebook.Text);
        var json = notebook.Json;
        Assert.Equal(["intro", "code-1", "code-2"], json["cells"]!.AsArray().Select(c => (string?)c!["id"]));
        Assert.Equal("csharp", (string?)json["cells"]![1]!["metadata"]!["polyglot_notebook"]!["kernelName"]);
        Assert.Equal("csharp", (string?)json["metadata"]!["polyglot_notebook"]!["kernelInfo"]!["defaultKernelName"]);
        Assert.Null(json["metadata"]!["kernelInfo"]);
    }

    [Fact]
    public async Task Run_FailsNamingTheNotebookCellAndError_AndRunsNoLaterCell()
    {
        using var notebook = new TestNotebook(
            "var ok = 1;",
            "throw new InvalidOperationException(\"boom\");",
            "System.IO.File.WriteAllText(\"after.txt\", \"ran\");");

        var result = await NotebookExecutor.RunAsync(notebook.Path, RunMode.Run);

        Assert.False(result.Succeeded);
        Assert.StartsWith($"{notebook.Path}: cell 3 failed: System.InvalidOperationException: boom", result.Failure, StringComparison.Ordinal);
        Assert.Contains("cell 3 starts: throw new InvalidOperationException(\"boom\");", result.Failure, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(notebook.Folder, "after.txt")));
    }

    [Fact]
    public async Task Run_FailsWithTheCompilerError_GivenACellThatDoesNotCompile()
    {
        using var notebook = new TestNotebook("int number = \"text\";");

        var result = await NotebookExecutor.RunAsync(notebook.Path, RunMode.Run);

        Assert.False(result.Succeeded);
        Assert.Contains("cell 2 failed: (1,14): error CS0029: Cannot implicitly convert type 'string' to 'int'", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_LeavesTheNotebookUntouched_GivenAFailingCell()
    {
        using var notebook = new TestNotebook("Console.WriteLine(\"before\");", "throw new Exception(\"no\");");
        var before = notebook.Text;

        var result = await NotebookExecutor.RunAsync(notebook.Path, RunMode.Write);

        Assert.False(result.Succeeded);
        Assert.Equal(before, notebook.Text);
    }

    [Fact]
    public async Task Run_FailsACellWhoseValueIsADisplayHandle_WhichWouldShowARandomId()
    {
        using var notebook = new TestNotebook("display(\"shown\");", "display(\"shown again\")");

        var result = await NotebookExecutor.RunAsync(notebook.Path, RunMode.Run);

        Assert.False(result.Succeeded);
        Assert.Contains("cell 3 failed: the cell ends with display(...) and no semicolon", result.Failure, StringComparison.Ordinal);
        Assert.Contains("End that line with ';'", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UsesTheNotebookFolderAsWorkingDirectory()
    {
        using var notebook = new TestNotebook("System.IO.File.ReadAllText(\"beside.txt\")");
        File.WriteAllText(Path.Combine(notebook.Folder, "beside.txt"), "found beside the notebook");

        var result = await NotebookExecutor.RunAsync(notebook.Path, RunMode.Write);

        Assert.True(result.Succeeded, result.Failure);
        Assert.Contains("found beside the notebook", notebook.Outputs(1).ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_FailsWithAUnifiedDiff_GivenACommittedOutputThatDiffers()
    {
        using var notebook = new TestNotebook("Console.WriteLine(\"answer: \" + (40 + 2));");
        Assert.True((await NotebookExecutor.RunAsync(notebook.Path, RunMode.Write)).Succeeded);
        notebook.Edit("answer: 42", "answer: 41");
        var committed = notebook.Text;

        var result = await NotebookExecutor.RunAsync(notebook.Path, RunMode.Check);

        Assert.False(result.Succeeded);
        Assert.Contains("cell 2: the outputs differ from the committed ones", result.Failure, StringComparison.Ordinal);
        Assert.Contains("-answer: 41\n+answer: 42\n", result.Failure, StringComparison.Ordinal);
        Assert.Contains("(committed)", result.Failure, StringComparison.Ordinal);
        Assert.Equal(committed, notebook.Text);
    }

    [Fact]
    public async Task Check_Passes_GivenCommittedOutputsThatDifferOnlyInTimings()
    {
        using var notebook = new TestNotebook("Console.WriteLine(\"epoch 1: 12.5 ms, 4,000 images/s\");\n\"total 3 s\"");
        Assert.True((await NotebookExecutor.RunAsync(notebook.Path, RunMode.Write)).Succeeded);
        notebook.Edit("epoch 1: 12.5 ms, 4,000 images/s", "epoch 1: 980 ms, 51 images/s");
        notebook.Edit("total 3 s", "total 1.25 s");
        var committed = notebook.Text;

        var check = await NotebookExecutor.RunAsync(notebook.Path, RunMode.Check);
        var write = await NotebookExecutor.RunAsync(notebook.Path, RunMode.Write);

        Assert.True(check.Succeeded, check.Failure);
        Assert.True(write.Succeeded, write.Failure);
        Assert.False(write.Written);
        Assert.Equal(committed, notebook.Text);
    }

    [Fact]
    public async Task Check_FailsOnARandomOutput_UnlessTheCellIsMarkedAsVarying()
    {
        using var unmarked = new TestNotebook("Guid.NewGuid().ToString()");
        using var marked = new TestNotebook(OutputNormalizer.VaryMarker + " (a fresh GUID each run)\nGuid.NewGuid().ToString()");
        Assert.True((await NotebookExecutor.RunAsync(unmarked.Path, RunMode.Write)).Succeeded);
        Assert.True((await NotebookExecutor.RunAsync(marked.Path, RunMode.Write)).Succeeded);

        var unmarkedCheck = await NotebookExecutor.RunAsync(unmarked.Path, RunMode.Check);
        var markedCheck = await NotebookExecutor.RunAsync(marked.Path, RunMode.Check);

        Assert.False(unmarkedCheck.Succeeded);
        Assert.True(markedCheck.Succeeded, markedCheck.Failure);
    }

    [Fact]
    public async Task Display_ShowsHtmlFromFormatterRegister_AndSvgFromAConventionFormatterSource()
    {
        // The SVG type is formatted by .NET Interactive's convention: an attribute *named* TypeFormatterSourceAttribute
        // (here the cell's own, as a library that does not reference .NET Interactive would declare it).
        using var notebook = new TestNotebook(
            """
            using Microsoft.DotNet.Interactive.Formatting;
            record Score(double Value);
            Formatter.Register<Score>((score, writer) => writer.Write($"<b>{score.Value:P0}</b>"), "text/html");
            display(new Score(0.5));
            """,
            """
            using System.IO;
            public sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
            {
                public Type FormatterSourceType { get; } = formatterSourceType;
                public string[] PreferredMimeTypes { get; set; } = [];
            }
            public sealed class SvgSource
            {
                public IEnumerable<object> CreateTypeFormatters() => [new SvgFormatter()];
            }
            public sealed class SvgFormatter
            {
                public string MimeType => "image/svg+xml";
                public bool Format(object value, TextWriter writer) { writer.Write(((Dot)value).Svg); return true; }
            }
            [TypeFormatterSource(typeof(SvgSource), PreferredMimeTypes = ["image/svg+xml"])]
            public sealed class Dot { public string Svg => "<svg xmlns=\"http://www.w3.org/2000/svg\"><circle r=\"4\"/></svg>"; }
            new Dot()
            """);

        var result = await NotebookExecutor.RunAsync(notebook.Path, RunMode.Write);

        Assert.True(result.Succeeded, result.Failure);
        Assert.Equal("<b>50 %</b>", string.Concat(((JsonArray)notebook.Outputs(1)[0]!["data"]!["text/html"]!).Select(l => (string?)l)));
        var svg = notebook.Outputs(2).Single()!["data"]!.AsObject();
        Assert.Equal(["image/svg+xml"], svg.Select(p => p.Key));
        Assert.Equal("<svg xmlns=\"http://www.w3.org/2000/svg\"><circle r=\"4\"/></svg>", string.Concat(svg["image/svg+xml"]!.AsArray().Select(l => (string?)l)));
    }

    [Fact]
    public async Task Run_RunsACodeCellWithoutKernelMetadata_AsCSharp()
    {
        using var notebook = new TestNotebook("6 * 7");
        notebook.Rewrite(json => json["cells"]![1]!["metadata"] = new JsonObject());

        var result = await NotebookExecutor.RunAsync(notebook.Path, RunMode.Write);

        Assert.True(result.Succeeded, result.Failure);
        var html = string.Concat(((JsonArray)notebook.Outputs(1).Single()!["data"]!["text/html"]!).Select(l => (string?)l));
        Assert.Contains("<pre>42</pre>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_RefusesARawCell_SayingWhatToDo()
    {
        using var notebook = new TestNotebook("1");
        notebook.Edit("\"cell_type\": \"code\"", "\"cell_type\": \"raw\"");

        var result = await NotebookExecutor.RunAsync(notebook.Path, RunMode.Run);

        Assert.False(result.Succeeded);
        Assert.Contains("cell 2 is a raw cell; the runner executes C# code cells and markdown only, and would drop it when writing",
            result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_RefusesAFileThatIsNotJson()
    {
        using var notebook = new TestNotebook();
        File.WriteAllText(notebook.Path, "not json");

        var result = await NotebookExecutor.RunAsync(notebook.Path, RunMode.Run);

        Assert.False(result.Succeeded);
        Assert.Contains("is not a notebook: expected .ipynb JSON", result.Failure, StringComparison.Ordinal);
    }
}

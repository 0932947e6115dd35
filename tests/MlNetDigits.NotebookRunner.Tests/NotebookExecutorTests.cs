using System.Text.Json.Nodes;
using System.Xml.Linq;
using static MlNetDigits.NotebookRunner.Tests.TestNotebooks;

namespace MlNetDigits.NotebookRunner.Tests;

public sealed class NotebookExecutorTests : IDisposable
{
    private readonly TestNotebooks _notebooks = new();

    public void Dispose() => _notebooks.Dispose();

    [Fact]
    public async Task Run_CapturesConsoleOutputAsStdoutStream()
    {
        var (result, notebook) = await _notebooks.RunAsync(Make("Console.WriteLine(\"hello\");\nConsole.Write(\"a\"); Console.WriteLine(1 + 2);"));

        Assert.True(result.Succeeded, result.Error?.ToString());
        var output = Assert.Single(Outputs(notebook, 0));
        Assert.Equal("stream", output!["output_type"]!.GetValue<string>());
        Assert.Equal("stdout", output["name"]!.GetValue<string>());
        Assert.Equal("hello\na3\n", Text(output["text"]));
        Assert.Equal(["hello\n", "a3\n"], ((JsonArray)output["text"]!).Select(l => l!.GetValue<string>()));
    }

    [Fact]
    public async Task Run_CapturesStandardErrorAsItsOwnStream()
    {
        var (_, notebook) = await _notebooks.RunAsync(Make("Console.Error.WriteLine(\"careful\");"));

        var output = Assert.Single(Outputs(notebook, 0));
        Assert.Equal("stderr", output!["name"]!.GetValue<string>());
        Assert.Equal("careful\n", Text(output["text"]));
    }

    [Fact]
    public async Task Run_ShowsTheTrailingExpressionAsExecuteResult()
    {
        var (result, notebook) = await _notebooks.RunAsync(Make("md:# title", "var x = 20;\nx * 2 + 2", "var y = 1;"));

        Assert.True(result.Succeeded, result.Error?.ToString());
        var output = Assert.Single(Outputs(notebook, 1));
        Assert.Equal("execute_result", output!["output_type"]!.GetValue<string>());
        Assert.Equal("42", Text(output["data"]!["text/plain"]));
        Assert.Equal(1, output["execution_count"]!.GetValue<int>());
        Assert.Equal(1, notebook.Cells[1]!["execution_count"]!.GetValue<int>());
        Assert.Empty(Outputs(notebook, 2)); // a statement ending in ';' has no value to show
        Assert.Equal(2, notebook.Cells[2]!["execution_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Run_CarriesStateAcrossCells()
    {
        var (result, notebook) = await _notebooks.RunAsync(Make(
            "var total = 10;\nint Twice(int v) => 2 * v;\npublic record Point(int X, int Y);",
            "md:between",
            "total += Twice(5);",
            "new Point(total, 3)"));

        Assert.True(result.Succeeded, result.Error?.ToString());
        Assert.Equal("Point { X = 20, Y = 3 }", Text(Outputs(notebook, 3)[0]!["data"]!["text/plain"]));
    }

    [Fact]
    public async Task Display_AddsDisplayDataBetweenTheTextPrintedBeforeAndAfter()
    {
        var (result, notebook) = await _notebooks.RunAsync(Make("Console.WriteLine(\"before\");\ndisplay(new[] { 1, 2, 3 });\nConsole.WriteLine(\"after\");"));

        Assert.True(result.Succeeded, result.Error?.ToString());
        var outputs = Outputs(notebook, 0);
        Assert.Equal(["stream", "display_data", "stream"], outputs.Select(o => o!["output_type"]!.GetValue<string>()));
        Assert.Equal("before\n", Text(outputs[0]!["text"]));
        Assert.Equal("[1, 2, 3]", Text(outputs[1]!["data"]!["text/plain"]));
        Assert.Null(outputs[1]!["execution_count"]);
        Assert.Equal("after\n", Text(outputs[2]!["text"]));
    }

    [Fact]
    public async Task Display_UpdateReplacesTheShownValue()
    {
        var (_, notebook) = await _notebooks.RunAsync(Make("var shown = display(\"working\");\nshown.Update(\"done\");"));

        Assert.Equal("done", Text(Assert.Single(Outputs(notebook, 0))!["data"]!["text/plain"]));
    }

    [Fact]
    public async Task Display_RendersSequencesOfObjectsAsHtmlTables()
    {
        var (_, notebook) = await _notebooks.RunAsync(Make("new[] { new { Digit = 3, Share = 0.25 }, new { Digit = 5, Share = 0.5 } }"));

        var html = Text(Outputs(notebook, 0)[0]!["data"]!["text/html"]);
        var table = XElement.Parse(html);
        Assert.Equal(["Digit", "Share"], table.Descendants("th").Select(th => th.Value));
        Assert.Equal(["3", "0.25", "5", "0.5"], table.Descendants("td").Select(td => td.Value));
    }

    [Fact]
    public async Task Run_StopsAtTheFirstRuntimeErrorNamingCellAndLine()
    {
        var (result, notebook) = await _notebooks.RunAsync(Make(
            "md:# intro",
            "var ok = 1;",
            "Console.WriteLine(\"partial\");\nvar zero = 0;\nthrow new InvalidOperationException(\"the data is missing\");",
            "Console.WriteLine(\"never\");"));

        Assert.False(result.Succeeded);
        Assert.Equal(3, result.Error!.CellNumber);
        Assert.Equal(3, result.Error.Line);
        Assert.Equal("System.InvalidOperationException", result.Error.Name);
        Assert.Contains("cell 3, line 3", result.Error.ToString());
        var outputs = Outputs(notebook, 2);
        Assert.Equal("partial\n", Text(outputs[0]!["text"]));
        var error = outputs[^1]!;
        Assert.Equal("error", error["output_type"]!.GetValue<string>());
        Assert.Equal("System.InvalidOperationException", error["ename"]!.GetValue<string>());
        Assert.Equal("the data is missing", error["evalue"]!.GetValue<string>());
        Assert.DoesNotContain(((JsonArray)error["traceback"]!).Select(t => t!.GetValue<string>()), l => l.Contains("NotebookExecutor", StringComparison.Ordinal));
        Assert.Empty(Outputs(notebook, 3));
        Assert.Null(notebook.Cells[3]!["execution_count"]);
    }

    [Fact]
    public async Task Run_ReportsACompilationErrorWithItsCellAndLine()
    {
        var (result, notebook) = await _notebooks.RunAsync(Make("var a = 1;", "md:text", "var b = 2;\nvar c = a + undefinedName;"));

        Assert.False(result.Succeeded);
        Assert.Equal(3, result.Error!.CellNumber);
        Assert.Equal(2, result.Error.Line);
        Assert.Equal("CompilationError", result.Error.Name);
        Assert.Contains("CS0103", result.Error.Message);
        Assert.Contains("undefinedName", Text(Outputs(notebook, 2)[0]!["evalue"]));
    }

    [Fact]
    public async Task Run_ResolvesHashRRelativeToTheNotebookFolder()
    {
        _notebooks.CompileLibrary("lib/Greeter.dll", "namespace Greeting; public static class Greeter { public static string Hello(string name) => $\"Hello, {name}!\"; }");

        var (result, notebook) = await _notebooks.RunAsync(
            Make("#r \"../lib/Greeter.dll\"\nusing Greeting;", "Greeter.Hello(\"notebook\")"), relativePath: "notebooks/relative.ipynb");

        Assert.True(result.Succeeded, result.Error?.ToString());
        Assert.Equal("Hello, notebook!", Text(Outputs(notebook, 1)[0]!["data"]!["text/plain"]));
    }

    [Fact]
    public async Task Run_UsesTheNotebookFolderAsWorkingDirectory()
    {
        File.WriteAllText(Path.Combine(_notebooks.Folder, "here.txt"), "found");

        var (result, notebook) = await _notebooks.RunAsync(Make("File.ReadAllText(\"here.txt\")"));

        Assert.True(result.Succeeded, result.Error?.ToString());
        Assert.Equal("found", Text(Outputs(notebook, 0)[0]!["data"]!["text/plain"]));
    }

    [Fact]
    public async Task Run_FormatsWithDotNetInteractiveConventionFormatters()
    {
        _notebooks.CompileLibrary("lib/Shapes.dll", """
            using System;
            using System.Collections.Generic;
            using System.IO;
            namespace Shapes;
            [AttributeUsage(AttributeTargets.Class)]
            internal sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute { public Type FormatterSourceType { get; } = formatterSourceType; }
            public sealed class Source { public IEnumerable<object> CreateTypeFormatters() { yield return new HtmlFormatter(); } }
            public sealed class HtmlFormatter
            {
                public string MimeType => "text/html";
                public bool Format(object instance, TextWriter writer) { writer.Write($"<b>square {((Square)instance).Side}</b>"); return true; }
            }
            [TypeFormatterSource(typeof(Source))]
            public sealed class Square(int side) { public int Side { get; } = side; public override string ToString() => $"Square({Side})"; }
            """);

        var (result, notebook) = await _notebooks.RunAsync(Make("#r \"lib/Shapes.dll\"", "new Shapes.Square(3)"));

        Assert.True(result.Succeeded, result.Error?.ToString());
        var data = Outputs(notebook, 1)[0]!["data"]!;
        Assert.Equal("<b>square 3</b>", Text(data["text/html"]));
        Assert.Equal("Square(3)", Text(data["text/plain"]));
    }

    [Fact]
    public async Task Run_DisplaysLibraryTypesThroughTheLibrarysFormatterRegistry()
    {
        var library = Path.Combine(AppContext.BaseDirectory, "MlNetDigits.dll");

        var (result, notebook) = await _notebooks.RunAsync(Make(
            $"#r \"{library}\"\nusing MlNetDigits.Evaluation;\nusing MlNetDigits.Display;",
            "new ConfusionMatrix(new[] { new double[] { 5, 1 }, new double[] { 2, 7 } }, new[] { \"cat\", \"dog\" })",
            "display(new BarChart(new[] { \"a\", \"b\" }, new[] { 1.0, 3.0 }, title: \"bars\"));"));

        Assert.True(result.Succeeded, result.Error?.ToString());
        var matrixHtml = Text(Outputs(notebook, 1)[0]!["data"]!["text/html"]);
        Assert.Contains("<svg", matrixHtml);
        Assert.Contains(">Predicted<", matrixHtml);
        Assert.Contains(">dog<", matrixHtml);
        Assert.Contains("Confusion table", Text(Outputs(notebook, 1)[0]!["data"]!["text/plain"]));
        var chartHtml = Text(Outputs(notebook, 2)[0]!["data"]!["text/html"]);
        var svg = XElement.Parse(chartHtml[chartHtml.IndexOf("<svg", StringComparison.Ordinal)..(chartHtml.LastIndexOf("</svg>", StringComparison.Ordinal) + 6)]);
        Assert.Equal(2, svg.Descendants(XName.Get("rect", "http://www.w3.org/2000/svg")).Count(r => r.Attribute("fill")?.Value == "#4e79a7"));
    }

    [Fact]
    public async Task Run_RefusesNuGetReferencesWithAMessageThatSaysWhatToDo()
    {
        var (result, notebook) = await _notebooks.RunAsync(Make("var a = 1;", "// packages\n#r \"nuget: MlNetDigits, 0.1.0\""));

        Assert.False(result.Succeeded);
        Assert.Equal(2, result.Error!.CellNumber);
        Assert.Equal(2, result.Error.Line);
        Assert.Contains("#r \"nuget: MlNetDigits, 0.1.0\"", result.Error.Message);
        Assert.Contains("--package-map MlNetDigits=", result.Error.Message);
        Assert.Contains("bin/Release/net10.0/MlNetDigits.dll", result.Error.Message);
        Assert.Equal("error", Outputs(notebook, 1)[0]!["output_type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Run_LoadsAMappedNuGetReferenceFromItsAssembly()
    {
        var dll = _notebooks.CompileLibrary("built/Tiny.dll", "namespace Tiny; public static class Answer { public static int Value => 42; }");

        var (result, notebook) = await _notebooks.RunAsync(Make("#r \"nuget: Tiny, 1.0.0\"\nTiny.Answer.Value"),
            packageMap: new Dictionary<string, string> { ["Tiny"] = dll });

        Assert.True(result.Succeeded, result.Error?.ToString());
        Assert.Equal("42", Text(Outputs(notebook, 0)[0]!["data"]!["text/plain"]));
    }

    [Fact]
    public async Task Run_DropsTheCSharpMagicAndRefusesOthers()
    {
        var (ok, _) = await _notebooks.RunAsync(Make("#!csharp\n1 + 1"));
        var (failed, _) = await _notebooks.RunAsync(Make("#!time\n1 + 1"));

        Assert.True(ok.Succeeded, ok.Error?.ToString());
        Assert.False(failed.Succeeded);
        Assert.Contains("'#!time' is not supported", failed.Error!.Message);
        Assert.Equal(1, failed.Error.Line);
    }
}

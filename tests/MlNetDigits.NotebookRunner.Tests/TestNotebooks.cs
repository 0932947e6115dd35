using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace MlNetDigits.NotebookRunner.Tests;

/// <summary>Builds small notebooks in a private temporary folder and runs them.</summary>
internal sealed class TestNotebooks : IDisposable
{
    public TestNotebooks()
    {
        Folder = Path.Combine(Path.GetTempPath(), "mlnd-notebooks-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    /// <summary>A notebook of the given cells: "md:" marks a markdown cell, anything else is C#.</summary>
    public static Notebook Make(params string[] cells)
    {
        var notebook = Notebook.Create();
        foreach (var cell in cells)
            notebook.AddCell(cell.StartsWith("md:", StringComparison.Ordinal) ? "markdown" : "code", cell.StartsWith("md:", StringComparison.Ordinal) ? cell[3..] : cell);
        return notebook;
    }

    /// <summary>Saves <paramref name="notebook"/> under <paramref name="relativePath"/> and returns its full path.</summary>
    public string Save(Notebook notebook, string relativePath = "test.ipynb")
    {
        var path = Path.Combine(Folder, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        notebook.Save(path);
        return path;
    }

    /// <summary>Runs the notebook as if it were at <paramref name="relativePath"/> in the folder.</summary>
    public async Task<(NotebookRunResult Result, Notebook Notebook)> RunAsync(Notebook notebook, string relativePath = "test.ipynb", IReadOnlyDictionary<string, string>? packageMap = null)
    {
        var path = Save(notebook, relativePath);
        var result = await new NotebookExecutor(packageMap).RunAsync(notebook, path);
        return (result, notebook);
    }

    /// <summary>Compiles C# <paramref name="source"/> into a class library at <paramref name="relativePath"/>.</summary>
    public string CompileLibrary(string relativePath, string source)
    {
        var path = Path.Combine(Folder, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var frameworkFolder = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var references = new[] { "System.Runtime.dll", "System.Private.CoreLib.dll", "System.Linq.dll", "System.Collections.dll" }
            .Select(f => MetadataReference.CreateFromFile(Path.Combine(frameworkFolder, f)));
        var compilation = CSharpCompilation.Create(Path.GetFileNameWithoutExtension(path),
            [CSharpSyntaxTree.ParseText(source)], references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var emitted = compilation.Emit(path);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return path;
    }

    /// <summary>The outputs JSON of cell <paramref name="index"/> (0-based among all cells).</summary>
    public static JsonArray Outputs(Notebook notebook, int index) => (JsonArray)notebook.Cells[index]!["outputs"]!;

    /// <summary>An nbformat multi-line text field joined back into one string.</summary>
    public static string Text(JsonNode? node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l!.GetValue<string>())),
        JsonValue value => value.GetValue<string>(),
        _ => "",
    };

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A loaded test assembly may still be mapped; the temporary folder is left for the system to clean.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

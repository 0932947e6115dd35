using System.Text.Json.Nodes;

namespace MlNetDigits.NotebookRunner.Tests;

/// <summary>A synthetic Polyglot notebook in its own temporary folder (deleted on dispose): a markdown cell, then the given C# cells.</summary>
internal sealed class TestNotebook : IDisposable
{
    public TestNotebook(params string[] codeCells)
    {
        Folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mlnd-notebook-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Folder);
        Path = System.IO.Path.Combine(Folder, "test.ipynb");
        var cells = new JsonArray { Cell("markdown", "intro", "# A test notebook") };
        for (int i = 0; i < codeCells.Length; i++)
            cells.Add(Cell("code", $"code-{i + 1}", codeCells[i]));
        var notebook = new JsonObject
        {
            ["cells"] = cells,
            ["metadata"] = new JsonObject
            {
                ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
                ["polyglot_notebook"] = new JsonObject
                {
                    ["kernelInfo"] = new JsonObject
                    {
                        ["defaultKernelName"] = "csharp",
                        ["items"] = new JsonArray { new JsonObject { ["aliases"] = new JsonArray(), ["name"] = "csharp" } },
                    },
                },
            },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        File.WriteAllText(Path, notebook.ToJsonString(new() { WriteIndented = true }));
    }

    public string Folder { get; }

    public string Path { get; }

    public string Text => File.ReadAllText(Path);

    /// <summary>The notebook as JSON, to read outputs or edit the committed ones.</summary>
    public JsonNode Json => JsonNode.Parse(Text)!;

    /// <summary>The outputs of the <paramref name="codeCell"/>-th code cell (1-based).</summary>
    public JsonArray Outputs(int codeCell) => (JsonArray)Json["cells"]![codeCell]!["outputs"]!;

    /// <summary>Replaces <paramref name="oldText"/> with <paramref name="newText"/> in the file, as if the committed outputs were different.</summary>
    public void Edit(string oldText, string newText)
    {
        var text = Text;
        Assert.Contains(oldText, text);
        File.WriteAllText(Path, text.Replace(oldText, newText, StringComparison.Ordinal));
    }

    /// <summary>Changes the notebook's JSON, e.g. to drop a cell's metadata.</summary>
    public void Rewrite(Action<JsonNode> change)
    {
        var json = Json;
        change(json);
        File.WriteAllText(Path, json.ToJsonString(new() { WriteIndented = true }));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the folder is in the temporary directory anyway.
        }
    }

    private static JsonObject Cell(string type, string id, string source)
    {
        var lines = source.Split('\n');
        var cell = new JsonObject
        {
            ["cell_type"] = type,
            ["id"] = id,
            ["metadata"] = type == "code"
                ? new JsonObject { ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" } }
                : new JsonObject(),
            ["source"] = new JsonArray(lines.Select((line, i) => (JsonNode?)(i < lines.Length - 1 ? line + "\n" : line)).ToArray()),
        };
        if (type == "code")
        {
            cell["execution_count"] = null;
            cell["outputs"] = new JsonArray();
        }
        return cell;
    }
}

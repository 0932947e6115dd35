using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlNetDigits.NotebookRunner;

/// <summary>
/// An .ipynb file (nbformat 4) kept as JSON, so everything the runner does not touch (markdown, metadata, ids) is
/// written back as it was. Knows the metadata Polyglot Notebooks expects of a C# notebook.
/// </summary>
public sealed class Notebook
{
    private static readonly JsonSerializerOptions WriteOptions = new()
    {
        WriteIndented = true,
        IndentSize = 1,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private Notebook(JsonObject root) => Root = root;

    /// <summary>The whole document.</summary>
    public JsonObject Root { get; }

    /// <summary>The cells, in order.</summary>
    public JsonArray Cells => Root["cells"] as JsonArray ?? throw new InvalidNotebookException("The notebook has no \"cells\" array.");

    /// <summary>Reads a notebook; an unreadable file or one that is not nbformat 4 fails with what was found.</summary>
    public static Notebook Load(string path)
    {
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (InvalidNotebookException e)
        {
            throw new InvalidNotebookException($"{path}: {e.Message}");
        }
    }

    /// <summary>Parses notebook JSON (nbformat 4).</summary>
    public static Notebook Parse(string json)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidNotebookException($"not valid JSON ({e.Message}).");
        }
        if (node is not JsonObject root)
            throw new InvalidNotebookException("expected a JSON object at the top level.");
        var format = root["nbformat"]?.GetValue<int>();
        if (format != 4)
            throw new InvalidNotebookException($"expected nbformat 4, found {(format is null ? "none" : format.ToString())}.");
        if (root["cells"] is not JsonArray)
            throw new InvalidNotebookException("expected a \"cells\" array.");
        return new Notebook(root);
    }

    /// <summary>A new, empty C# notebook with Polyglot metadata.</summary>
    public static Notebook Create()
    {
        var notebook = new Notebook(new JsonObject { ["cells"] = new JsonArray(), ["metadata"] = new JsonObject(), ["nbformat"] = 4, ["nbformat_minor"] = 2 });
        notebook.EnsurePolyglotMetadata();
        return notebook;
    }

    /// <summary>Appends a cell ("code" or "markdown") holding <paramref name="source"/>.</summary>
    public Notebook AddCell(string cellType, string source)
    {
        var cell = new JsonObject { ["cell_type"] = cellType, ["metadata"] = new JsonObject(), ["source"] = CellOutput.Lines(source) };
        if (cellType == "code")
        {
            cell["execution_count"] = null;
            cell["outputs"] = new JsonArray();
        }
        Cells.Add(cell);
        EnsurePolyglotMetadata();
        return this;
    }

    /// <summary>A cell's source as one string (nbformat allows a string or a list of lines).</summary>
    public static string Source(JsonNode cell) => cell["source"] switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>() ?? "")),
        JsonValue text => text.GetValue<string>(),
        _ => "",
    };

    public static string CellType(JsonNode cell) => cell["cell_type"]?.GetValue<string>() ?? "";

    /// <summary>The cell's Polyglot kernel name (metadata.polyglot_notebook.kernelName), or null.</summary>
    public static string? KernelName(JsonNode cell) => cell["metadata"]?["polyglot_notebook"]?["kernelName"]?.GetValue<string>();

    /// <summary>What is missing or wrong in the metadata Polyglot Notebooks needs to open this as a C# notebook.</summary>
    public IReadOnlyList<string> CheckPolyglotMetadata()
    {
        var problems = new List<string>();
        var metadata = Root["metadata"];
        void Expect(JsonNode? node, string expected, string where)
        {
            var found = node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            if (found != expected)
                problems.Add($"{where} should be \"{expected}\"; found {(found is null ? "nothing" : $"\"{found}\"")}.");
        }
        Expect(metadata?["kernelspec"]?["name"], ".net-csharp", "metadata.kernelspec.name");
        Expect(metadata?["kernelspec"]?["display_name"], ".NET (C#)", "metadata.kernelspec.display_name");
        Expect(metadata?["kernelspec"]?["language"], "C#", "metadata.kernelspec.language");
        Expect(metadata?["language_info"]?["name"], "csharp", "metadata.language_info.name");
        Expect(metadata?["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"], "csharp", "metadata.polyglot_notebook.kernelInfo.defaultKernelName");
        var items = metadata?["polyglot_notebook"]?["kernelInfo"]?["items"] as JsonArray;
        if (items is null || !items.Any(i => i?["name"]?.GetValue<string>() == "csharp" && i?["languageName"]?.GetValue<string>() == "csharp"))
            problems.Add("metadata.polyglot_notebook.kernelInfo.items should hold {\"name\": \"csharp\", \"languageName\": \"csharp\"}.");
        for (int i = 0; i < Cells.Count; i++)
            if (CellType(Cells[i]!) == "code" && KernelName(Cells[i]!) != "csharp")
                problems.Add($"cell {i + 1}: metadata.polyglot_notebook.kernelName should be \"csharp\"; found {(KernelName(Cells[i]!) is { } k ? $"\"{k}\"" : "nothing")}.");
        return problems;
    }

    /// <summary>Sets the notebook and code-cell metadata Polyglot Notebooks expects of a C# notebook, keeping anything else.</summary>
    public void EnsurePolyglotMetadata()
    {
        var metadata = Root["metadata"] as JsonObject ?? (JsonObject)(Root["metadata"] = new JsonObject());
        metadata["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" };
        var languageInfo = metadata["language_info"] as JsonObject ?? (JsonObject)(metadata["language_info"] = new JsonObject());
        languageInfo["name"] = "csharp";
        languageInfo["file_extension"] ??= ".cs";
        languageInfo["mimetype"] ??= "text/x-csharp";
        languageInfo["pygments_lexer"] ??= "csharp";
        var polyglot = metadata["polyglot_notebook"] as JsonObject ?? (JsonObject)(metadata["polyglot_notebook"] = new JsonObject());
        polyglot["kernelInfo"] = new JsonObject
        {
            ["defaultKernelName"] = "csharp",
            ["items"] = new JsonArray(new JsonObject { ["aliases"] = new JsonArray(), ["name"] = "csharp", ["languageName"] = "csharp" }),
        };
        foreach (var cell in Cells.OfType<JsonObject>())
        {
            if (CellType(cell) != "code")
                continue;
            var cellMetadata = cell["metadata"] as JsonObject ?? (JsonObject)(cell["metadata"] = new JsonObject());
            var cellPolyglot = cellMetadata["polyglot_notebook"] as JsonObject ?? (JsonObject)(cellMetadata["polyglot_notebook"] = new JsonObject());
            cellPolyglot["kernelName"] = "csharp";
            cellMetadata["dotnet_interactive"] = new JsonObject { ["language"] = "csharp" };
        }
    }

    /// <summary>The notebook as JSON, indented by one space as Jupyter and Polyglot Notebooks write it.</summary>
    public string ToJson() => Root.ToJsonString(WriteOptions) + "\n";

    /// <summary>Writes the notebook to a temporary file beside <paramref name="path"/>, then renames it over the target.</summary>
    public void Save(string path)
    {
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temp, ToJson());
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
    }
}

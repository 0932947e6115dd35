using System.Text;
using System.Text.Json;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;

namespace MlNetDigits.NotebookRunner;

/// <summary>
/// A Polyglot .ipynb read and written with .NET Interactive's own reader and writer (Microsoft.DotNet.Interactive.Documents),
/// so cell ids, cell and notebook metadata and output shapes stay as VS Code keeps them. Every code cell must be C#.
/// </summary>
internal sealed class NotebookFile
{
    private static readonly string[] CSharpAliases = ["c#", "C#"];
    private readonly bool _hadTopLevelKernelInfo;

    private NotebookFile(string path, InteractiveDocument document, bool hadTopLevelKernelInfo)
    {
        Path = path;
        Document = document;
        _hadTopLevelKernelInfo = hadTopLevelKernelInfo;
    }

    public string Path { get; }

    public InteractiveDocument Document { get; }

    /// <summary>The code cells with their 1-based position among all cells (markdown included), as an editor counts them.</summary>
    public IEnumerable<(int Number, InteractiveDocumentElement Cell)> CodeCells =>
        Document.Elements.Select((cell, i) => (Number: i + 1, Cell: cell)).Where(c => c.Cell.KernelName != "markdown");

    private static KernelInfoCollection KernelInfos() => new() { new KernelInfo("csharp", "csharp", CSharpAliases) };

    /// <summary>Reads <paramref name="path"/>; throws <see cref="InvalidNotebookException"/> when it is not a C# notebook.</summary>
    public static NotebookFile Load(string path)
    {
        string json = File.ReadAllText(path, Encoding.UTF8);
        bool hadKernelInfo;
        try
        {
            using var parsed = JsonDocument.Parse(json);
            var root = parsed.RootElement;
            hadKernelInfo = root.TryGetProperty("metadata", out var metadata)
                && metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("kernelInfo", out _);
            // The reader keeps code and markdown cells only: any other cell would vanish when the notebook is written.
            if (root.TryGetProperty("cells", out var cells) && cells.ValueKind == JsonValueKind.Array)
            {
                int position = 0;
                foreach (var cell in cells.EnumerateArray())
                {
                    position++;
                    var type = cell.TryGetProperty("cell_type", out var t) ? t.GetString() : null;
                    if (type is not ("code" or "markdown"))
                        throw new InvalidNotebookException(
                            $"{path}: cell {position} is a {type ?? "typeless"} cell; the runner executes C# code cells and markdown " +
                            "only, and would drop it when writing. Make it a markdown cell, or remove it.");
                }
            }
        }
        catch (JsonException e)
        {
            throw new InvalidNotebookException($"{path} is not a notebook: expected .ipynb JSON, found a parse error ({e.Message}).", e);
        }

        var infos = KernelInfos();
        infos.DefaultKernelName = "csharp";
        var document = Notebook.Parse(json, infos);
        int number = 0;
        foreach (var cell in document.Elements)
        {
            number++;
            // A code cell that names no kernel runs in the notebook's default one, as in VS Code.
            if (string.IsNullOrEmpty(cell.KernelName))
                cell.KernelName = "csharp";
            if (cell.KernelName is "markdown" or "csharp")
                continue;
            throw new InvalidNotebookException(
                $"{path}: cell {number} is for kernel '{cell.KernelName}'; the runner executes C# code cells and markdown only. " +
                "Make it a C# or markdown cell, or remove it.");
        }
        return new NotebookFile(path, document, hadKernelInfo);
    }

    /// <summary>
    /// Writes the notebook back through a temporary file and a rename (nothing is half-written), unless the bytes would
    /// not change. Cells without an id get a stable one (<c>cell-N</c>), since the writer emits nbformat 4.5, which
    /// requires ids. Returns true when the file changed.
    /// </summary>
    public bool Save()
    {
        var ids = new HashSet<string>(Document.Elements.Select(c => c.Id).OfType<string>(), StringComparer.Ordinal);
        int number = 0;
        foreach (var cell in Document.Elements)
        {
            number++;
            if (!string.IsNullOrEmpty(cell.Id))
                continue;
            var id = $"cell-{number}";
            for (int k = 2; ids.Contains(id); k++)
                id = $"cell-{number}-{k}";
            cell.Id = id;
            ids.Add(id);
        }

        var infos = KernelInfos();
        infos.DefaultKernelName = "csharp";
        using var buffer = new MemoryStream();
        Notebook.Write(Document, buffer, infos);
        byte[] bytes = buffer.ToArray();
        if (!_hadTopLevelKernelInfo)
            bytes = WithoutTopLevelKernelInfo(bytes);
        if (File.Exists(Path) && File.ReadAllBytes(Path).AsSpan().SequenceEqual(bytes))
            return false;

        var temporary = Path + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, Path, overwrite: true);
        return true;
    }

    // The writer adds the kernel list it was given as metadata.kernelInfo; Polyglot keeps it under
    // metadata.polyglot_notebook, so a notebook that did not have the top-level copy does not get one.
    private static byte[] WithoutTopLevelKernelInfo(byte[] json)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        if (node["metadata"] is System.Text.Json.Nodes.JsonObject metadata && metadata.Remove("kernelInfo"))
        {
            var options = new JsonSerializerOptions
            {
                WriteIndented = true,
                IndentSize = 1,
                Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            };
            return JsonSerializer.SerializeToUtf8Bytes(node, options);
        }
        return json;
    }
}

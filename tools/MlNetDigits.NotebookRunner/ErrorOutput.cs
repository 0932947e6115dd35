using System.Text.Json.Nodes;

namespace MlNetDigits.NotebookRunner;

/// <summary>The error that stopped the notebook (<c>output_type: error</c>).</summary>
public sealed class ErrorOutput(string name, string value, IReadOnlyList<string> traceback) : CellOutput
{
    /// <summary>The exception's type name (or "CompilationError").</summary>
    public string Name { get; } = name;

    /// <summary>The message.</summary>
    public string Value { get; } = value;

    public IReadOnlyList<string> Traceback { get; } = traceback;

    public override JsonObject ToJson() => new()
    {
        ["output_type"] = "error",
        ["ename"] = Name,
        ["evalue"] = Value,
        ["traceback"] = new JsonArray([.. Traceback.Select(t => (JsonNode?)JsonValue.Create(t))]),
    };
}

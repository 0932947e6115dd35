using System.Text.Json.Nodes;

namespace MlNetDigits.NotebookRunner;

/// <summary>One output of a code cell, as nbformat 4 stores it.</summary>
public abstract class CellOutput
{
    /// <summary>The output as an nbformat 4 JSON object.</summary>
    public abstract JsonObject ToJson();

    /// <summary>Multi-line text as nbformat writes it: a list of lines, each but the last ending in "\n".</summary>
    internal static JsonArray Lines(string text)
    {
        var array = new JsonArray();
        int start = 0;
        while (start < text.Length)
        {
            var end = text.IndexOf('\n', start);
            if (end < 0)
            {
                array.Add(text[start..]);
                break;
            }
            array.Add(text[start..(end + 1)]);
            start = end + 1;
        }
        return array;
    }
}

/// <summary>Text the cell wrote to stdout or stderr (<c>output_type: stream</c>).</summary>
public sealed class StreamOutput(string name) : CellOutput
{
    /// <summary>"stdout" or "stderr".</summary>
    public string Name { get; } = name;

    internal System.Text.StringBuilder Buffer { get; } = new();

    public string Text => Buffer.ToString();

    public override JsonObject ToJson() => new()
    {
        ["output_type"] = "stream",
        ["name"] = Name,
        ["text"] = Lines(Text),
    };
}

/// <summary>
/// A displayed value (<c>display_data</c>, from <c>display(x)</c>) or the value of the cell's trailing expression
/// (<c>execute_result</c>), in one or more MIME types.
/// </summary>
public sealed class DisplayOutput(IReadOnlyDictionary<string, string> data, int? executionCount) : CellOutput
{
    /// <summary>The representations, keyed by MIME type (text/html, text/plain...).</summary>
    public IReadOnlyDictionary<string, string> Data { get; internal set; } = data;

    /// <summary>The execution count for an <c>execute_result</c>; null for <c>display_data</c>.</summary>
    public int? ExecutionCount { get; } = executionCount;

    public bool IsExecuteResult => ExecutionCount is not null;

    public override JsonObject ToJson()
    {
        var data = new JsonObject();
        foreach (var (mime, text) in Data.OrderBy(kv => kv.Key == "text/html" ? 0 : kv.Key == "text/plain" ? 2 : 1).ThenBy(kv => kv.Key, StringComparer.Ordinal))
            data[mime] = Lines(text);
        var json = new JsonObject { ["output_type"] = IsExecuteResult ? "execute_result" : "display_data", ["data"] = data, ["metadata"] = new JsonObject() };
        if (IsExecuteResult)
            json["execution_count"] = ExecutionCount;
        return json;
    }
}

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

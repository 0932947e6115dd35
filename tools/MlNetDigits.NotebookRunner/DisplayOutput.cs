using System.Text.Json.Nodes;

namespace MlNetDigits.NotebookRunner;

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

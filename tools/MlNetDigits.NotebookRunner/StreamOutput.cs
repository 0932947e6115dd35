using System.Text.Json.Nodes;

namespace MlNetDigits.NotebookRunner;

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

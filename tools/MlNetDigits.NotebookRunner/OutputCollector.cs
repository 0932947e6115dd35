namespace MlNetDigits.NotebookRunner;

/// <summary>
/// Gathers one cell's outputs in the order they happen: console text is appended to the current stream output, and a
/// displayed value closes it, so text printed before and after a <c>display(...)</c> stays on either side of it.
/// </summary>
internal sealed class OutputCollector
{
    private readonly Lock _gate = new();
    private readonly List<CellOutput> _outputs = [];

    public IReadOnlyList<CellOutput> Outputs
    {
        get
        {
            lock (_gate)
                return [.. _outputs];
        }
    }

    public void Write(string stream, string text)
    {
        if (text.Length == 0)
            return;
        lock (_gate)
        {
            if (_outputs.Count == 0 || _outputs[^1] is not StreamOutput last || last.Name != stream)
                _outputs.Add(last = new StreamOutput(stream));
            last.Buffer.Append(text.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }

    public DisplayOutput Add(DisplayOutput output)
    {
        lock (_gate)
            _outputs.Add(output);
        return output;
    }

    public void Add(ErrorOutput output)
    {
        lock (_gate)
            _outputs.Add(output);
    }
}

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

/// <summary>A console writer that sends everything to the collector of the cell now running.</summary>
internal sealed class CapturingWriter(string stream, Func<OutputCollector?> current, TextWriter fallback) : TextWriter
{
    public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

    public override void Write(char value) => Write(value.ToString());

    public override void Write(string? value)
    {
        if (value is null)
            return;
        if (current() is { } collector)
            collector.Write(stream, value);
        else
            fallback.Write(value);
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void WriteLine(string? value) => Write((value ?? "") + "\n");

    public override void WriteLine() => Write("\n");
}

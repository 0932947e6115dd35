namespace MlNetDigits.NotebookRunner;

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

namespace MlNetDigits.NotebookRunner;

/// <summary>A displayed value; <see cref="Update"/> replaces what is shown with another value.</summary>
public sealed class DisplayedValue
{
    private readonly DisplayOutput _output;
    private readonly string[] _mimeTypes;

    internal DisplayedValue(DisplayOutput output, string[] mimeTypes)
    {
        _output = output;
        _mimeTypes = mimeTypes;
    }

    /// <summary>The MIME types now shown.</summary>
    public IReadOnlyCollection<string> MimeTypes => [.. _output.Data.Keys];

    /// <summary>Shows <paramref name="value"/> in place of the displayed one.</summary>
    public void Update(object? value) => _output.Data = ValueFormatter.Format(value, _mimeTypes);
}

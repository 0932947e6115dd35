namespace MlNetDigits.Data;

/// <summary>Extension methods for looking at data while developing, as ML.NET's <c>DebuggerExtensions</c>.</summary>
public static class DebuggerExtensions
{
    /// <summary>
    /// Reads the first <paramref name="maxRows"/> rows of <paramref name="data"/> (one cursor over all visible columns)
    /// into a <see cref="DataDebuggerPreview"/>.
    /// </summary>
    public static DataDebuggerPreview Preview(this IDataView data, int maxRows = 100) => new(data, maxRows);
}

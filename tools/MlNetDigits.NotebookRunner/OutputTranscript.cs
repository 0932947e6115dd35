using System.Text;
using System.Text.Json;
using Microsoft.DotNet.Interactive.Documents;

namespace MlNetDigits.NotebookRunner;

/// <summary>
/// A cell's outputs as one comparable text: a header line per output and MIME type (<c>[stream stdout]</c>,
/// <c>[display_data text/html]</c>, <c>[execute_result text/plain]</c>, <c>[error Name]</c>) followed by its text, with
/// line endings unified and trailing newlines dropped, whether the outputs were read from a file or just produced.
/// </summary>
internal static class OutputTranscript
{
    public static string Of(IEnumerable<InteractiveDocumentOutputElement> outputs)
    {
        var text = new StringBuilder();
        foreach (var output in outputs)
        {
            switch (output)
            {
                case TextElement stream:
                    Section(text, $"stream {stream.Name}", stream.Text);
                    break;
                case ReturnValueElement returned:
                    foreach (var (mimeType, value) in returned.Data.OrderBy(d => d.Key, StringComparer.Ordinal))
                        Section(text, $"execute_result {mimeType}", DataText(value));
                    break;
                case DisplayElement displayed:
                    foreach (var (mimeType, value) in displayed.Data.OrderBy(d => d.Key, StringComparer.Ordinal))
                        Section(text, $"display_data {mimeType}", DataText(value));
                    break;
                case ErrorElement error:
                    Section(text, $"error {error.ErrorName}", string.Join("\n", [error.ErrorValue, .. error.StackTrace ?? []]));
                    break;
            }
        }
        return text.ToString();
    }

    /// <summary>The text of one MIME bundle value: a string, or the lines of a JSON array joined (as .ipynb stores it).</summary>
    public static string DataText(object? value) => value switch
    {
        null => "",
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString() ?? "",
        JsonElement { ValueKind: JsonValueKind.Array } e => string.Concat(e.EnumerateArray().Select(item => DataText(item))),
        JsonElement e => e.GetRawText(),
        IEnumerable<object> items => string.Concat(items.Select(DataText)),
        _ => value.ToString() ?? "",
    };

    private static void Section(StringBuilder text, string header, string body)
    {
        text.Append('[').Append(header).Append("]\n");
        text.Append(body.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n')).Append('\n');
    }
}

using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;

namespace MlNetDigits.NotebookRunner;

/// <summary>
/// Turns the kernel events of one cell into notebook outputs as VS Code keeps them: consecutive writes to stdout (or
/// stderr) become one stream output, a displayed value that is later updated shows its last state, the return value
/// becomes an execute_result and a failure an error output. A cell whose value is the handle returned by
/// <c>display(...)</c> fails: that handle shows a random id, so its outputs could never be checked.
/// </summary>
internal sealed class OutputCollector(int executionCount)
{
    private readonly List<InteractiveDocumentOutputElement> _outputs = [];
    private readonly Dictionary<string, DisplayElement> _displayed = new(StringComparer.Ordinal);

    public IReadOnlyList<InteractiveDocumentOutputElement> Outputs => _outputs;

    /// <summary>The failure message of the cell, or null while it has not failed.</summary>
    public string? Failure { get; private set; }

    public void Add(KernelEvent kernelEvent)
    {
        switch (kernelEvent)
        {
            case StandardOutputValueProduced stdout:
                AppendStream("stdout", Text(stdout.FormattedValues));
                break;
            case StandardErrorValueProduced stderr:
                AppendStream("stderr", Text(stderr.FormattedValues));
                break;
            case DisplayedValueUpdated updated when updated.ValueId is { } id && _displayed.TryGetValue(id, out var shown):
                shown.Data.Clear();
                foreach (var (mimeType, value) in Data(updated.FormattedValues))
                    shown.Data[mimeType] = value;
                break;
            case DisplayedValueProduced or DisplayedValueUpdated:
                var display = (DisplayEvent)kernelEvent;
                var data = Data(display.FormattedValues);
                if (data.Count == 0)
                    break;
                var element = new DisplayElement(data);
                if (display.ValueId is { } valueId)
                    _displayed[valueId] = element;
                _outputs.Add(element);
                break;
            case ReturnValueProduced { Value: DisplayedValue }:
                // VS Code would show the handle that display(...) returns, whose id is a new GUID on every run.
                Failure = "the cell ends with display(...) and no semicolon, so its value, the display handle, is shown " +
                          "too, with a new random id on every run. End that line with ';'.";
                break;
            case ReturnValueProduced returned:
                var returnData = Data(returned.FormattedValues);
                if (returnData.Count == 0)
                    break;
                var result = new ReturnValueElement { ExecutionOrder = executionCount };
                foreach (var (mimeType, value) in returnData)
                    result.Data[mimeType] = value;
                _outputs.Add(result);
                break;
            case ErrorProduced error:
                _outputs.Add(new ErrorElement(errorValue: error.Message, errorName: "Error", stackTrace: []));
                break;
            case CommandFailed failed:
                Failure = failed.Message;
                var lines = failed.Message.Split('\n');
                _outputs.Add(new ErrorElement(errorValue: lines[0].TrimEnd('\r'), errorName: failed.Exception?.GetType().Name ?? "Error", stackTrace: lines[1..]));
                break;
        }
    }

    private void AppendStream(string name, string text)
    {
        if (_outputs.Count > 0 && _outputs[^1] is TextElement last && last.Name == name)
            _outputs[^1] = new TextElement(last.Text + text, name: name);
        else
            _outputs.Add(new TextElement(text, name: name));
    }

    private static string Text(IEnumerable<FormattedValue> values) =>
        string.Concat(values.Where(v => !v.SuppressDisplay).Select(v => v.Value));

    private static Dictionary<string, object> Data(IEnumerable<FormattedValue> values)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var value in values.Where(v => !v.SuppressDisplay))
            data[value.MimeType] = value.Value;
        return data;
    }
}

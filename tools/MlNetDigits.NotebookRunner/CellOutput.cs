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

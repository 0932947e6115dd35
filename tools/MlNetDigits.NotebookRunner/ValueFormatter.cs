using System.Collections;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;

namespace MlNetDigits.NotebookRunner;

/// <summary>
/// Turns a displayed value into its MIME representations without referencing any library, in this order:
/// <list type="number">
/// <item>a registry: a loaded assembly's static <c>MlNetDigits.Display.DisplayFormatters.Format(object)</c>
/// (formatters the library registers and the notebook adds with <c>DisplayFormatters.Register&lt;T&gt;</c>);</item>
/// <item>.NET Interactive's convention: a <c>TypeFormatterSourceAttribute</c> (matched by name) on the value's type, a base
/// type or an interface, naming a class whose <c>CreateTypeFormatters()</c> gives objects with <c>MimeType</c> and
/// <c>bool Format(object, TextWriter)</c>;</item>
/// <item>defaults: text for scalars and strings, an HTML table for sequences of objects.</item>
/// </list>
/// text/plain is always present.
/// </summary>
public static class ValueFormatter
{
    /// <summary>The registry type the runner looks for in loaded assemblies.</summary>
    public const string RegistryTypeName = "MlNetDigits.Display.DisplayFormatters";

    /// <summary>Items of a sequence shown before it is cut short.</summary>
    public const int MaxItems = 50;

    public static IReadOnlyDictionary<string, string> Format(object? value, params string[] mimeTypes)
    {
        var result = FormatAll(value);
        if (mimeTypes is { Length: > 0 })
            result = result.Where(kv => mimeTypes.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        return result;
    }

    private static Dictionary<string, string> FormatAll(object? value)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (value is null)
        {
            result["text/plain"] = "<null>";
            return result;
        }
        if (value is not string && !value.GetType().IsPrimitive)
        {
            foreach (var (mime, text) in FromRegistries(value))
                result.TryAdd(mime, text);
            if (!result.ContainsKey("text/html"))
                foreach (var (mime, text) in FromConvention(value))
                    result.TryAdd(mime, text);
        }
        if (!result.ContainsKey("text/html") && Table(value) is { } table)
            result["text/html"] = table;
        result.TryAdd("text/plain", PlainText(value));
        return result;
    }

    private static IEnumerable<KeyValuePair<string, string>> FromRegistries(object value)
    {
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (assembly.IsDynamic)
                continue;
            var registry = assembly.GetType(RegistryTypeName, throwOnError: false);
            var format = registry?.GetMethod("Format", BindingFlags.Public | BindingFlags.Static, [typeof(object)]);
            if (format?.Invoke(null, [value]) is IEnumerable<KeyValuePair<string, string>> formatted)
            {
                var list = formatted.ToList();
                // A registry from another copy of the library knows only its own types: keep looking for one with HTML.
                if (list.Any(kv => kv.Key == "text/html"))
                    return list;
            }
        }
        return [];
    }

    private static IEnumerable<KeyValuePair<string, string>> FromConvention(object value)
    {
        var type = value.GetType();
        var types = new List<Type>();
        for (var t = type; t is not null; t = t.BaseType)
            types.Add(t);
        types.AddRange(type.GetInterfaces());
        foreach (var candidate in types)
        {
            foreach (var attribute in candidate.GetCustomAttributes(inherit: false))
            {
                var attributeType = attribute.GetType();
                if (attributeType.Name != "TypeFormatterSourceAttribute"
                    || attributeType.GetProperty("FormatterSourceType")?.GetValue(attribute) is not Type sourceType)
                    continue;
                var source = Activator.CreateInstance(sourceType);
                if (sourceType.GetMethod("CreateTypeFormatters")?.Invoke(source, null) is not IEnumerable formatters)
                    continue;
                var found = new List<KeyValuePair<string, string>>();
                foreach (var formatter in formatters.Cast<object>())
                {
                    var formatterType = formatter.GetType();
                    var mime = formatterType.GetProperty("MimeType")?.GetValue(formatter) as string;
                    var format = formatterType.GetMethod("Format", [typeof(object), typeof(TextWriter)]);
                    if (mime is null || format is null)
                        continue;
                    using var writer = new StringWriter(CultureInfo.InvariantCulture);
                    if (format.Invoke(formatter, [value, writer]) is true)
                        found.Add(new(mime, writer.ToString()));
                }
                if (found.Count > 0)
                    return found;
            }
        }
        return [];
    }

    /// <summary>Plain text: invariant numbers, sequences as [a, b, c] (cut after <see cref="MaxItems"/>).</summary>
    public static string PlainText(object? value)
    {
        switch (value)
        {
            case null:
                return "<null>";
            case string s:
                return s;
            case IFormattable f:
                return f.ToString(null, CultureInfo.InvariantCulture);
            case IEnumerable sequence when !HasOwnToString(value.GetType()):
                var items = sequence.Cast<object?>().Take(MaxItems + 1).Select(PlainText).ToList();
                var more = items.Count > MaxItems ? ", ..." : "";
                return $"[{string.Join(", ", items.Take(MaxItems))}{more}]";
            default:
                return value.ToString() ?? "";
        }
    }

    /// <summary>An HTML table for a sequence of objects with properties (records, anonymous types); null otherwise.</summary>
    private static string? Table(object value)
    {
        if (value is string || value is not IEnumerable sequence || HasOwnToString(value.GetType()))
            return null;
        var items = sequence.Cast<object?>().Take(MaxItems + 1).ToList();
        var first = items.FirstOrDefault(i => i is not null);
        if (first is null || IsScalar(first.GetType()))
            return null;
        var properties = first.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0).ToArray();
        if (properties.Length == 0)
            return null;
        var html = new StringBuilder("<table style=\"border-collapse:collapse;font-family:monospace;font-size:12px\"><thead><tr>");
        foreach (var p in properties)
            html.Append("<th style=\"border:1px solid #ccc;padding:2px 6px;background:#f0f0f0\">").Append(WebUtility.HtmlEncode(p.Name)).Append("</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var item in items.Take(MaxItems))
        {
            html.Append("<tr>");
            foreach (var p in properties)
            {
                var cell = item is null || p.DeclaringType?.IsInstanceOfType(item) != true ? null : p.GetValue(item);
                html.Append("<td style=\"border:1px solid #ccc;padding:2px 6px;text-align:right\">").Append(CellHtml(cell)).Append("</td>");
            }
            html.Append("</tr>");
        }
        html.Append("</tbody></table>");
        if (items.Count > MaxItems)
            html.Append($"<div style=\"font-size:11px;color:#666\">(first {MaxItems} items)</div>");
        return html.ToString();
    }

    /// <summary>A table cell: the value's own HTML when a formatter gives one (an image in a table), else its text.</summary>
    private static string CellHtml(object? value)
    {
        if (value is null)
            return "";
        if (!IsScalar(value.GetType()) && FromRegistries(value).Concat(FromConvention(value)).FirstOrDefault(kv => kv.Key == "text/html") is { Value: { } html })
            return html;
        return WebUtility.HtmlEncode(value is double d ? d.ToString("0.####", CultureInfo.InvariantCulture)
            : value is float f ? f.ToString("0.####", CultureInfo.InvariantCulture) : PlainText(value));
    }

    private static bool IsScalar(Type type) => type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
        || type == typeof(DateTime) || type == typeof(TimeSpan) || type == typeof(Guid);

    /// <summary>True when the type overrides ToString (then that text is what its author meant to show).</summary>
    private static bool HasOwnToString(Type type)
    {
        if (type.IsArray || type.Namespace?.StartsWith("System.Collections", StringComparison.Ordinal) == true || type.Namespace?.StartsWith("System.Linq", StringComparison.Ordinal) == true)
            return false;
        return type.GetMethod("ToString", Type.EmptyTypes)?.DeclaringType is { } d && d != typeof(object);
    }
}

using System.Globalization;

namespace MlNetDigits.Display;

/// <summary>
/// The registry of rich display formatters, keyed by type and MIME type, in the shape of .NET Interactive's
/// <c>Formatter.Register&lt;T&gt;</c>: the library registers HTML/SVG renderers for data views, previews, schemas,
/// metrics, confusion matrices, images and charts; notebooks may add their own. The notebook runner asks it for every
/// displayed value; in Polyglot Notebooks the library's types reach it through <see cref="TypeFormatterSourceAttribute"/>
/// (see the README section "Notebooks" for forwarding the rest).
/// </summary>
public static class DisplayFormatters
{
    private static readonly Lock Gate = new();
    private static readonly List<DisplayFormatterRegistration> Items = [];

    static DisplayFormatters() => RegisterDefaults();

    /// <summary>Every registration, oldest first (later registrations win over earlier ones for the same type).</summary>
    public static IReadOnlyList<DisplayFormatterRegistration> Registrations
    {
        get
        {
            lock (Gate)
                return [.. Items];
        }
    }

    /// <summary>Registers <paramref name="format"/> for values of type <typeparamref name="T"/> (and types derived from it).</summary>
    public static void Register<T>(Func<T, string> format, string mimeType = MimeTypes.Html)
    {
        ArgumentNullException.ThrowIfNull(format);
        Register(typeof(T), value => format((T)value), mimeType);
    }

    /// <summary>Registers <paramref name="format"/> for values assignable to <paramref name="type"/>.</summary>
    public static void Register(Type type, Func<object, string> format, string mimeType = MimeTypes.Html)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(format);
        ArgumentException.ThrowIfNullOrWhiteSpace(mimeType);
        lock (Gate)
            Items.Add(new DisplayFormatterRegistration(type, mimeType, format));
    }

    /// <summary>Removes every registration for exactly <paramref name="type"/> and <paramref name="mimeType"/>; true if any was removed.</summary>
    public static bool Unregister(Type type, string mimeType = MimeTypes.Html)
    {
        lock (Gate)
            return Items.RemoveAll(r => r.Type == type && r.MimeType == mimeType) > 0;
    }

    /// <summary>Forgets the notebook's own registrations and keeps the library's.</summary>
    public static void ResetToDefault()
    {
        lock (Gate)
        {
            Items.Clear();
            RegisterDefaults();
        }
    }

    /// <summary>
    /// The formatter for <paramref name="valueType"/> and <paramref name="mimeType"/>: a registration for exactly that
    /// type first, otherwise the latest registration of a base type or interface; null when there is none.
    /// </summary>
    public static DisplayFormatterRegistration? Find(Type valueType, string mimeType)
    {
        ArgumentNullException.ThrowIfNull(valueType);
        lock (Gate)
        {
            DisplayFormatterRegistration? assignable = null;
            for (int i = Items.Count - 1; i >= 0; i--)
            {
                var r = Items[i];
                if (r.MimeType != mimeType)
                    continue;
                if (r.Type == valueType)
                    return r;
                if (assignable is null && r.Type.IsAssignableFrom(valueType))
                    assignable = r;
            }
            return assignable;
        }
    }

    /// <summary>Formats <paramref name="value"/> as <paramref name="mimeType"/> when a formatter is registered for its type.</summary>
    public static bool TryFormat(object? value, string mimeType, out string text)
    {
        text = "";
        if (value is null || Find(value.GetType(), mimeType) is not { } registration)
            return false;
        text = registration.Format(value);
        return true;
    }

    /// <summary>
    /// Every representation of <paramref name="value"/>: the registered ones (HTML first) and always text/plain (a
    /// registered plain-text formatter, else <see cref="object.ToString"/> in the invariant culture).
    /// </summary>
    public static IReadOnlyDictionary<string, string> Format(object? value)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (value is not null)
        {
            var mimeTypes = Registrations.Select(r => r.MimeType).Distinct().OrderBy(m => m == MimeTypes.Html ? 0 : 1);
            foreach (var mime in mimeTypes)
                if (TryFormat(value, mime, out var text))
                    result[mime] = text;
        }
        if (!result.ContainsKey(MimeTypes.PlainText))
            result[MimeTypes.PlainText] = ToPlainText(value);
        return result;
    }

    /// <summary>The value as plain text: null as "null", formattable values in the invariant culture.</summary>
    public static string ToPlainText(object? value) => value switch
    {
        null => "null",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static void RegisterDefaults()
    {
        Items.Add(new(typeof(Data.IDataView), MimeTypes.Html, v => DataViewHtml.Render((Data.IDataView)v)));
        Items.Add(new(typeof(Data.IDataView), MimeTypes.PlainText, v => DataViewHtml.RenderText((Data.IDataView)v)));
        Items.Add(new(typeof(Data.DataDebuggerPreview), MimeTypes.Html, v => DataViewHtml.Render((Data.DataDebuggerPreview)v)));
        Items.Add(new(typeof(Data.DataViewSchema), MimeTypes.Html, v => DataViewHtml.Render((Data.DataViewSchema)v)));
        Items.Add(new(typeof(Core.SchemaShape), MimeTypes.Html, v => DataViewHtml.Render((Core.SchemaShape)v)));
        Items.Add(new(typeof(Evaluation.MulticlassClassificationMetrics), MimeTypes.Html, v => MetricsHtml.Render((Evaluation.MulticlassClassificationMetrics)v)));
        Items.Add(new(typeof(Evaluation.ConfusionMatrix), MimeTypes.Html, v => MetricsHtml.Render((Evaluation.ConfusionMatrix)v)));
        Items.Add(new(typeof(Imaging.GrayImage), MimeTypes.Html, v => DigitImage.FromGrayImage((Imaging.GrayImage)v).ToHtml()));
        Items.Add(new(typeof(Imaging.PreprocessedDigit), MimeTypes.PlainText, v => PreprocessingHtml.Describe((Imaging.PreprocessedDigit)v)));
        Items.Add(new(typeof(Imaging.PreprocessedDigit), MimeTypes.Html, v => PreprocessingHtml.Render((Imaging.PreprocessedDigit)v)));
        Items.Add(new(typeof(Prediction.DigitPrediction), MimeTypes.Html, v => PredictionHtml.Render((Prediction.DigitPrediction)v)));
        Items.Add(new(typeof(IHtmlContent), MimeTypes.Html, v => ((IHtmlContent)v).ToHtml()));
    }
}

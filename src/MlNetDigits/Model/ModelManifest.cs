using System.Globalization;
using MlNetDigits.Data;

namespace MlNetDigits.Model;

/// <summary>
/// The manifest.json entry of a model file: what the file is, which format version and library wrote it, the folder of
/// the root stage, and the input schema the model was saved with (columns, their type names and annotations).
/// </summary>
/// <param name="Format">Always <see cref="FormatName"/>.</param>
/// <param name="FormatVersion">The layout version of the file; readers refuse versions above <see cref="CurrentFormatVersion"/>.</param>
/// <param name="LibraryVersion">The MlNetDigits version that wrote the file (informational).</param>
/// <param name="Root">The folder holding the root stage (its stage.json and entries).</param>
/// <param name="InputSchema">The input columns, or null when the model was saved without an input schema.</param>
internal sealed record ModelManifest(string Format, int FormatVersion, string LibraryVersion, string Root,
    IReadOnlyList<ModelManifest.SchemaColumn>? InputSchema)
{
    public const string FormatName = "MlNetDigits.Model";
    public const int CurrentFormatVersion = 1;
    public const string EntryName = "manifest.json";
    public const string RootFolder = "model";

    /// <summary>The version of this library, "major.minor.build".</summary>
    public static string CurrentLibraryVersion { get; } =
        typeof(ModelManifest).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>One input column: name, type name (see <see cref="DataViewTypeParser"/>) and annotations.</summary>
    public sealed record SchemaColumn(string Name, string Type, IReadOnlyList<SchemaAnnotation>? Annotations);

    /// <summary>One annotation: its name, type name and values written as invariant text (one per vector item).</summary>
    public sealed record SchemaAnnotation(string Name, string Type, IReadOnlyList<string> Values);

    /// <summary>The manifest for a model saved with <paramref name="inputSchema"/>.</summary>
    public static ModelManifest Create(DataViewSchema? inputSchema) =>
        new(FormatName, CurrentFormatVersion, CurrentLibraryVersion, RootFolder,
            inputSchema?.Select(c => new SchemaColumn(c.Name, c.Type.ToString()!,
                [.. c.Annotations.Names.Select(n => DescribeAnnotation(c, n))])).ToList());

    /// <summary>The input schema written in the manifest (an empty schema when none was saved).</summary>
    public DataViewSchema ToSchema()
    {
        if (InputSchema is null)
            return DataViewSchema.Create();
        var columns = new List<(string, DataViewType, DataViewSchema.Annotations?)>();
        foreach (var column in InputSchema)
        {
            if (string.IsNullOrEmpty(column?.Name) || column.Type is null)
                throw new InvalidModelException($"Model entry '{EntryName}' has an input column without a name or type.");
            var annotations = DataViewSchema.Annotations.Empty;
            foreach (var a in column.Annotations ?? [])
            {
                if (a?.Name is null || a.Type is null || a.Values is null)
                    throw new InvalidModelException($"Model entry '{EntryName}': an annotation of column '{column.Name}' lacks its name, type or values.");
                annotations = AddAnnotation(annotations, a, ParseType(a.Type, $"annotation '{a.Name}' of column '{column.Name}'"));
            }
            columns.Add((column.Name, ParseType(column.Type, $"column '{column.Name}'"), annotations));
        }
        return DataViewSchema.Create(columns);
    }

    private static DataViewType ParseType(string text, string what)
    {
        try
        {
            return DataViewTypeParser.Parse(text);
        }
        catch (FormatException e)
        {
            throw new InvalidModelException($"Model entry '{EntryName}': the type of {what} cannot be read. {e.Message}", e);
        }
    }

    private static SchemaAnnotation DescribeAnnotation(DataViewSchema.Column column, string name)
    {
        var type = column.Annotations.GetTypeOrNull(name)!;
        var itemType = type is VectorDataViewType v ? v.ItemType : (PrimitiveDataViewType)type;
        var values = itemType.RawType switch
        {
            var t when t == typeof(float) => FormatValues<float>(column.Annotations, name, type),
            var t when t == typeof(double) => FormatValues<double>(column.Annotations, name, type),
            var t when t == typeof(byte) => FormatValues<byte>(column.Annotations, name, type),
            var t when t == typeof(int) => FormatValues<int>(column.Annotations, name, type),
            var t when t == typeof(uint) => FormatValues<uint>(column.Annotations, name, type),
            var t when t == typeof(long) => FormatValues<long>(column.Annotations, name, type),
            var t when t == typeof(bool) => FormatValues<bool>(column.Annotations, name, type),
            var t when t == typeof(string) => FormatValues<string>(column.Annotations, name, type),
            _ => throw new NotSupportedException($"Annotation '{name}' of column '{column.Name}' has type {type}, which model files cannot store."),
        };
        return new SchemaAnnotation(name, type.ToString()!, values);
    }

    private static string[] FormatValues<T>(DataViewSchema.Annotations annotations, string name, DataViewType type)
    {
        if (type is VectorDataViewType)
        {
            annotations.TryGetValue<VBuffer<T>>(name, out var vector);
            return [.. vector.ToArray().Select(FormatItem)];
        }
        annotations.TryGetValue<T>(name, out var scalar);
        return [FormatItem(scalar)];
    }

    private static string FormatItem<T>(T value) => value switch
    {
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => value?.ToString() ?? "",
    };

    private static DataViewSchema.Annotations AddAnnotation(DataViewSchema.Annotations annotations, SchemaAnnotation a, DataViewType type)
    {
        var itemType = type is VectorDataViewType v ? v.ItemType : (PrimitiveDataViewType)type;
        return itemType.RawType switch
        {
            var t when t == typeof(float) => Add(annotations, a, type, s => float.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture)),
            var t when t == typeof(double) => Add(annotations, a, type, s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture)),
            var t when t == typeof(byte) => Add(annotations, a, type, s => byte.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture)),
            var t when t == typeof(int) => Add(annotations, a, type, s => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture)),
            var t when t == typeof(uint) => Add(annotations, a, type, s => uint.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture)),
            var t when t == typeof(long) => Add(annotations, a, type, s => long.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture)),
            var t when t == typeof(bool) => Add(annotations, a, type, bool.Parse),
            _ => Add(annotations, a, type, s => s),
        };
    }

    private static DataViewSchema.Annotations Add<T>(DataViewSchema.Annotations annotations, SchemaAnnotation a, DataViewType type, Func<string, T> parse)
        where T : notnull
    {
        var expected = type is VectorDataViewType v ? v.Size : 1;
        if (a.Values.Count != expected)
            throw new InvalidModelException($"Model entry '{EntryName}': annotation '{a.Name}' of type {a.Type} needs {expected} values but has {a.Values.Count}.");
        T[] items;
        try
        {
            items = [.. a.Values.Select(parse)];
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentNullException)
        {
            throw new InvalidModelException($"Model entry '{EntryName}': annotation '{a.Name}' has a value that is not a {type}: {e.Message}", e);
        }
        return type is VectorDataViewType
            ? annotations.With(a.Name, type, new VBuffer<T>(items.Length, items))
            : annotations.With(a.Name, type, items[0]);
    }
}

using System.Collections.Immutable;
using System.Globalization;
using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Model;

namespace MlNetDigits.Trainers;

/// <summary>
/// What a multiclass model knows of the label it was trained on: its type (a key, values 1..K, or an integer type,
/// values 0..K-1), the number of classes, each class's name, and the key's KeyValues annotation. Trainers build it from
/// the training data; prediction transformers use it to give "PredictedLabel" the label's type and "Score" its slot names.
/// </summary>
public sealed class MulticlassLabelInfo
{
    private MulticlassLabelInfo(PrimitiveDataViewType labelType, int classCount, ImmutableArray<string> classNames,
        DataViewSchema.Annotations keyValues)
    {
        LabelType = labelType;
        ClassCount = classCount;
        ClassNames = classNames;
        KeyValueAnnotations = keyValues;
    }

    /// <summary>What the label column must be, for messages.</summary>
    public const string Expected = "a key (values 1..K) or an integer type (Byte, Int32, UInt32, Int64; values 0..K-1)";

    /// <summary>The training label's type: a <see cref="KeyDataViewType"/> or an integer <see cref="NumberDataViewType"/>.</summary>
    public PrimitiveDataViewType LabelType { get; }

    /// <summary>The number of classes K.</summary>
    public int ClassCount { get; }

    /// <summary>The name of each class, class 0 first (the key values' text, or the integer values "0".."K-1").</summary>
    public ImmutableArray<string> ClassNames { get; }

    /// <summary>True when the label is a key (class c is key value c + 1).</summary>
    public bool IsKey => LabelType is KeyDataViewType;

    /// <summary>The key's KeyValues annotation (empty when the label is not a key or has none).</summary>
    public DataViewSchema.Annotations KeyValueAnnotations { get; }

    /// <summary>True for the label types multiclass trainers accept.</summary>
    public static bool IsSupported(DataViewType type) => type is KeyDataViewType || type is NumberDataViewType { IsInteger: true };

    /// <summary>Throws a <see cref="SchemaException"/> unless column <paramref name="name"/> of <paramref name="schema"/> can serve as a multiclass label.</summary>
    public static void CheckLabelColumn(DataViewSchema schema, string name)
    {
        var column = schema.GetColumnOrNull(name) ?? throw new SchemaException(name, Expected, null);
        if (!IsSupported(column.Type))
            throw new SchemaException(name, Expected, column.Type.ToString());
    }

    /// <summary>The label info of key column <paramref name="column"/>: K is the key count, names come from its KeyValues.</summary>
    public static MulticlassLabelInfo ForKey(DataViewSchema.Column column)
    {
        if (column.Type is not KeyDataViewType key)
            throw new SchemaException(column.Name, "a key", column.Type.ToString());
        if (key.Count > 1_000_000)
            throw new ArgumentException($"Label column '{column.Name}' has {key.Count} key values; multiclass trainers support at most 1,000,000 classes.");
        int count = (int)key.Count;
        var keyValues = column.Annotations.GetTypeOrNull(AnnotationKinds.KeyValues) is null
            ? DataViewSchema.Annotations.Empty
            : column.Annotations.Only(AnnotationKinds.KeyValues);
        var names = KeyValueTexts(keyValues);
        if (names is null || names.Length != count)
            names = [.. Enumerable.Range(1, count).Select(i => i.ToString(CultureInfo.InvariantCulture))];
        return new MulticlassLabelInfo(key, count, [.. names], keyValues);
    }

    /// <summary>The label info of an integer label type with classes 0..<paramref name="classCount"/>-1.</summary>
    public static MulticlassLabelInfo ForInteger(NumberDataViewType type, int classCount)
    {
        if (!type.IsInteger)
            throw new ArgumentException($"{type} is not an integer type.", nameof(type));
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        return new MulticlassLabelInfo(type, classCount,
            [.. Enumerable.Range(0, classCount).Select(i => i.ToString(CultureInfo.InvariantCulture))], DataViewSchema.Annotations.Empty);
    }

    /// <summary>The "PredictedLabel" column's type: the label's type (a key of the same count, or the integer type).</summary>
    public PrimitiveDataViewType PredictedLabelType => LabelType;

    /// <summary>The SlotNames annotation of the "Score" column: the class names.</summary>
    public DataViewSchema.Annotations ScoreAnnotations() => DataViewSchema.Annotations.Empty
        .With(AnnotationKinds.SlotNames, new VectorDataViewType(TextDataViewType.Instance, ClassCount), new VBuffer<string>(ClassCount, [.. ClassNames]))
        .With(AnnotationKinds.ScoreColumnKind, TextDataViewType.Instance, "MulticlassClassification");

    /// <summary>Writes this label info as a JSON entry.</summary>
    public void Save(ModelSaveContext context, string name)
    {
        string? keyValuesType = null;
        string[]? keyValues = null;
        if (KeyValueAnnotations.GetTypeOrNull(AnnotationKinds.KeyValues) is VectorDataViewType kv)
        {
            keyValuesType = kv.ItemType.ToString();
            keyValues = KeyValueTexts(KeyValueAnnotations);
        }
        context.WriteJson(name, new Stored(IsKey ? "Key" : LabelType.ToString()!, ClassCount, [.. ClassNames], keyValuesType, keyValues));
    }

    /// <summary>Reads what <see cref="Save"/> wrote.</summary>
    public static MulticlassLabelInfo Load(ModelLoadContext context, string name)
    {
        var stored = context.ReadJson<Stored>(name);
        var where = $"Model entry '{context.Folder}/{name}'";
        if (stored.ClassCount is < 1 or > 1_000_000 || stored.ClassNames is null || stored.ClassNames.Length != stored.ClassCount)
            throw new InvalidModelException($"{where} has an invalid class count or class names.");
        PrimitiveDataViewType type = stored.LabelType == "Key"
            ? new KeyDataViewType((ulong)stored.ClassCount)
            : IntegerTypes.FirstOrDefault(t => t.ToString() == stored.LabelType)
                ?? throw new InvalidModelException($"{where} has label type '{stored.LabelType}', which is not a key or an integer type.");
        var annotations = DataViewSchema.Annotations.Empty;
        if (stored.KeyValuesType is not null)
        {
            if (stored.KeyValues is null || stored.KeyValues.Length != stored.ClassCount)
                throw new InvalidModelException($"{where} has {stored.KeyValues?.Length ?? 0} key values for {stored.ClassCount} classes.");
            annotations = ParseKeyValues(stored.KeyValuesType, stored.KeyValues, where);
        }
        return new MulticlassLabelInfo(type, stored.ClassCount, [.. stored.ClassNames], annotations);
    }

    private static readonly NumberDataViewType[] IntegerTypes =
        [NumberDataViewType.Byte, NumberDataViewType.Int32, NumberDataViewType.UInt32, NumberDataViewType.Int64];

    private static string[]? KeyValueTexts(DataViewSchema.Annotations annotations)
    {
        if (annotations.GetTypeOrNull(AnnotationKinds.KeyValues) is not VectorDataViewType type)
            return null;
        return type.ItemType.RawType switch
        {
            var t when t == typeof(string) => Texts<string>(annotations, v => v),
            var t when t == typeof(uint) => Texts<uint>(annotations, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(int) => Texts<int>(annotations, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(long) => Texts<long>(annotations, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(byte) => Texts<byte>(annotations, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(float) => Texts<float>(annotations, v => v.ToString("R", CultureInfo.InvariantCulture)),
            var t when t == typeof(double) => Texts<double>(annotations, v => v.ToString("R", CultureInfo.InvariantCulture)),
            var t when t == typeof(bool) => Texts<bool>(annotations, v => v ? "True" : "False"),
            _ => null,
        };
    }

    private static string[]? Texts<T>(DataViewSchema.Annotations annotations, Func<T, string> format) =>
        annotations.TryGetValue<VBuffer<T>>(AnnotationKinds.KeyValues, out var values) ? [.. values.ToArray().Select(format)] : null;

    private static DataViewSchema.Annotations ParseKeyValues(string typeName, string[] texts, string where)
    {
        try
        {
            return typeName switch
            {
                "String" => With(TextDataViewType.Instance, texts),
                "UInt32" => With(NumberDataViewType.UInt32, [.. texts.Select(t => uint.Parse(t, CultureInfo.InvariantCulture))]),
                "Int32" => With(NumberDataViewType.Int32, [.. texts.Select(t => int.Parse(t, CultureInfo.InvariantCulture))]),
                "Int64" => With(NumberDataViewType.Int64, [.. texts.Select(t => long.Parse(t, CultureInfo.InvariantCulture))]),
                "Byte" => With(NumberDataViewType.Byte, [.. texts.Select(t => byte.Parse(t, CultureInfo.InvariantCulture))]),
                "Single" => With(NumberDataViewType.Single, [.. texts.Select(t => float.Parse(t, CultureInfo.InvariantCulture))]),
                "Double" => With(NumberDataViewType.Double, [.. texts.Select(t => double.Parse(t, CultureInfo.InvariantCulture))]),
                "Boolean" => With(BooleanDataViewType.Instance, [.. texts.Select(bool.Parse)]),
                _ => throw new InvalidModelException($"{where} has key values of unsupported type '{typeName}'."),
            };
        }
        catch (FormatException e)
        {
            throw new InvalidModelException($"{where} has a key value that is not a valid {typeName}: {e.Message}");
        }
    }

    private static DataViewSchema.Annotations With<T>(PrimitiveDataViewType itemType, T[] values) =>
        DataViewSchema.Annotations.Empty.With(AnnotationKinds.KeyValues, new VectorDataViewType(itemType, values.Length), new VBuffer<T>(values.Length, values));

    private sealed record Stored(string LabelType, int ClassCount, string[] ClassNames, string? KeyValuesType, string[]? KeyValues);
}

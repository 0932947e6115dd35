using System.Collections;
using System.Collections.Immutable;

namespace MlNetDigits.Data;

/// <summary>The names of annotations the library itself reads and writes.</summary>
public static class AnnotationKinds
{
    /// <summary>On a key column: the value each key stands for (a vector of the values, key 1 first).</summary>
    public const string KeyValues = "KeyValues";

    /// <summary>On a vector column: a name per slot (a vector of strings).</summary>
    public const string SlotNames = "SlotNames";

    /// <summary>On an image column: its shape as an Int32 vector {Channels, Height, Width}.</summary>
    public const string ImageShape = "ImageShape";

    /// <summary>On a normalised column: true.</summary>
    public const string IsNormalized = "IsNormalized";

    /// <summary>On a score column: the kind of score ("MulticlassClassification").</summary>
    public const string ScoreColumnKind = "ScoreColumnKind";
}

/// <summary>The ordered columns of a data view, each with a name, a type and annotations.</summary>
[MlNetDigits.Display.TypeFormatterSource(typeof(MlNetDigits.Display.DisplayFormatterSource))] // rich display in Polyglot Notebooks
public sealed class DataViewSchema : IReadOnlyList<DataViewSchema.Column>
{
    private readonly ImmutableArray<Column> _columns;

    private DataViewSchema(IEnumerable<(string Name, DataViewType Type, Annotations Annotations)> columns)
    {
        var list = columns.ToList();
        var builder = ImmutableArray.CreateBuilder<Column>(list.Count);
        // A later column with the same name hides an earlier one, as in ML.NET.
        var lastIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < list.Count; i++)
            lastIndex[list[i].Name] = i;
        for (int i = 0; i < list.Count; i++)
            builder.Add(new Column(list[i].Name, i, lastIndex[list[i].Name] != i, list[i].Type, list[i].Annotations));
        _columns = builder.MoveToImmutable();
    }

    /// <summary>Makes a schema from (name, type, annotations) triples in order.</summary>
    public static DataViewSchema Create(IEnumerable<(string Name, DataViewType Type, Annotations? Annotations)> columns) =>
        new(columns.Select(c => (c.Name, c.Type, c.Annotations ?? Annotations.Empty)));

    /// <summary>Makes a schema of columns without annotations.</summary>
    public static DataViewSchema Create(params (string Name, DataViewType Type)[] columns) =>
        new(columns.Select(c => (c.Name, c.Type, Annotations.Empty)));

    public int Count => _columns.Length;

    public Column this[int index] => _columns[index];

    /// <summary>The visible column named <paramref name="name"/>; throws naming the available columns when absent.</summary>
    public Column this[string name] => GetColumnOrNull(name)
        ?? throw new ArgumentOutOfRangeException(nameof(name), $"Column '{name}' not found. Available columns: {DescribeNames()}.");

    /// <summary>The visible column named <paramref name="name"/>, or null.</summary>
    public Column? GetColumnOrNull(string name)
    {
        for (int i = _columns.Length - 1; i >= 0; i--)
            if (!_columns[i].IsHidden && string.Equals(_columns[i].Name, name, StringComparison.Ordinal))
                return _columns[i];
        return null;
    }

    /// <summary>The comma-separated names of the visible columns, for messages.</summary>
    public string DescribeNames() => string.Join(", ", _columns.Where(c => !c.IsHidden).Select(c => $"'{c.Name}'"));

    /// <summary>A new schema with this schema's columns followed by <paramref name="added"/>.</summary>
    public DataViewSchema Append(IEnumerable<(string Name, DataViewType Type, Annotations? Annotations)> added) =>
        Create(_columns.Select(c => (c.Name, c.Type, (Annotations?)c.Annotations)).Concat(added));

    public IEnumerator<Column> GetEnumerator() => ((IEnumerable<Column>)_columns).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() =>
        string.Join(Environment.NewLine, _columns.Where(c => !c.IsHidden).Select(c => c.ToString()));

    /// <summary>One column: its name, position, type, annotations, and whether a later column of the same name hides it.</summary>
    public sealed class Column
    {
        internal Column(string name, int index, bool isHidden, DataViewType type, Annotations annotations)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            Name = name;
            Index = index;
            IsHidden = isHidden;
            Type = type ?? throw new ArgumentNullException(nameof(type));
            Annotations = annotations;
        }

        public string Name { get; }
        public int Index { get; }
        public bool IsHidden { get; }
        public DataViewType Type { get; }
        public Annotations Annotations { get; }

        public override string ToString()
        {
            var notes = Annotations.Count == 0 ? "" : $" [{string.Join(", ", Annotations.Names)}]";
            return $"{Name}: {Type}{notes}";
        }
    }

    /// <summary>Named, typed values attached to a column (key values, slot names, image shape...).</summary>
    public sealed class Annotations
    {
        private readonly ImmutableDictionary<string, (DataViewType Type, object Value)> _items;

        private Annotations(ImmutableDictionary<string, (DataViewType Type, object Value)> items) => _items = items;

        public static Annotations Empty { get; } = new(ImmutableDictionary.Create<string, (DataViewType, object)>(StringComparer.Ordinal));

        public int Count => _items.Count;

        public IEnumerable<string> Names => _items.Keys.OrderBy(k => k, StringComparer.Ordinal);

        /// <summary>The type of annotation <paramref name="name"/>, or null.</summary>
        public DataViewType? GetTypeOrNull(string name) => _items.TryGetValue(name, out var item) ? item.Type : null;

        /// <summary>Gets annotation <paramref name="name"/> as <typeparamref name="T"/> (vectors are <see cref="VBuffer{T}"/>).</summary>
        public bool TryGetValue<T>(string name, out T value)
        {
            if (_items.TryGetValue(name, out var item) && item.Value is T typed)
            {
                value = typed;
                return true;
            }
            value = default!;
            return false;
        }

        /// <summary>A copy with annotation <paramref name="name"/> set (replaced if present).</summary>
        public Annotations With<T>(string name, DataViewType type, T value) where T : notnull
        {
            if (type.RawType != typeof(T))
                throw new ArgumentException($"Annotation '{name}' has type {type} whose values are {type.RawType.Name}, not {typeof(T).Name}.", nameof(value));
            return new(_items.SetItem(name, (type, value)));
        }

        /// <summary>A copy without annotation <paramref name="name"/>.</summary>
        public Annotations Without(string name) => new(_items.Remove(name));

        /// <summary>A copy holding only the annotations named in <paramref name="names"/>.</summary>
        public Annotations Only(params string[] names) =>
            new(_items.Where(kv => names.Contains(kv.Key)).ToImmutableDictionary(StringComparer.Ordinal));

        /// <summary>Convenience: the image shape annotation as (channels, height, width), or null.</summary>
        public (int Channels, int Height, int Width)? GetImageShape()
        {
            if (!TryGetValue<VBuffer<int>>(AnnotationKinds.ImageShape, out var shape) || shape.Length != 3)
                return null;
            var s = shape.GetValues();
            return (s[0], s[1], s[2]);
        }

        /// <summary>A copy recording an image shape {channels, height, width}.</summary>
        public Annotations WithImageShape(int channels, int height, int width) =>
            With(AnnotationKinds.ImageShape, new VectorDataViewType(NumberDataViewType.Int32, 3), new VBuffer<int>(3, [channels, height, width]));
    }
}

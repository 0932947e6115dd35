using System.Collections.Immutable;

namespace MlNetDigits.Data;

/// <summary>The type of a data view column: a scalar, a key, or a vector of a known size.</summary>
public abstract class DataViewType : IEquatable<DataViewType>
{
    private protected DataViewType(Type rawType) => RawType = rawType;

    /// <summary>The .NET type a getter for this column produces (a vector column produces <see cref="VBuffer{T}"/>).</summary>
    public Type RawType { get; }

    public abstract bool Equals(DataViewType? other);

    public override bool Equals(object? obj) => obj is DataViewType other && Equals(other);

    public override int GetHashCode() => RawType.GetHashCode();

    public static bool operator ==(DataViewType? a, DataViewType? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(DataViewType? a, DataViewType? b) => !(a == b);
}

/// <summary>A type whose values are single items: numbers, booleans, text, keys.</summary>
public abstract class PrimitiveDataViewType : DataViewType
{
    private protected PrimitiveDataViewType(Type rawType) : base(rawType) { }
}

/// <summary>The numeric scalar types.</summary>
public sealed class NumberDataViewType : PrimitiveDataViewType
{
    private readonly string _name;

    private NumberDataViewType(Type rawType, string name) : base(rawType) => _name = name;

    public static NumberDataViewType Single { get; } = new(typeof(float), "Single");
    public static NumberDataViewType Double { get; } = new(typeof(double), "Double");
    public static NumberDataViewType Byte { get; } = new(typeof(byte), "Byte");
    public static NumberDataViewType Int32 { get; } = new(typeof(int), "Int32");
    public static NumberDataViewType UInt32 { get; } = new(typeof(uint), "UInt32");
    public static NumberDataViewType Int64 { get; } = new(typeof(long), "Int64");

    /// <summary>True for the integer types (their values can serve as class labels).</summary>
    public bool IsInteger => RawType != typeof(float) && RawType != typeof(double);

    public override bool Equals(DataViewType? other) => ReferenceEquals(this, other);

    public override int GetHashCode() => _name.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => _name;

    /// <summary>The number type whose raw type is <paramref name="type"/>, or null.</summary>
    public static NumberDataViewType? FromRawType(Type type) =>
        type == typeof(float) ? Single : type == typeof(double) ? Double : type == typeof(byte) ? Byte :
        type == typeof(int) ? Int32 : type == typeof(uint) ? UInt32 : type == typeof(long) ? Int64 : null;
}

/// <summary>Boolean scalars.</summary>
public sealed class BooleanDataViewType : PrimitiveDataViewType
{
    private BooleanDataViewType() : base(typeof(bool)) { }

    public static BooleanDataViewType Instance { get; } = new();

    public override bool Equals(DataViewType? other) => ReferenceEquals(this, other);

    public override int GetHashCode() => 17;

    public override string ToString() => "Boolean";
}

/// <summary>Text scalars (raw type <see cref="string"/>).</summary>
public sealed class TextDataViewType : PrimitiveDataViewType
{
    private TextDataViewType() : base(typeof(string)) { }

    public static TextDataViewType Instance { get; } = new();

    public override bool Equals(DataViewType? other) => ReferenceEquals(this, other);

    public override int GetHashCode() => 19;

    public override string ToString() => "String";
}

/// <summary>
/// A key: an index into a set of <see cref="Count"/> values, stored as <see cref="uint"/>.
/// As in ML.NET, 0 means "missing" and the values are 1..Count.
/// </summary>
public sealed class KeyDataViewType : PrimitiveDataViewType
{
    public KeyDataViewType(ulong count) : base(typeof(uint))
    {
        if (count == 0 || count > uint.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(count), count, "A key type needs a count between 1 and uint.MaxValue.");
        Count = count;
    }

    /// <summary>The number of distinct key values.</summary>
    public ulong Count { get; }

    public override bool Equals(DataViewType? other) => other is KeyDataViewType k && k.Count == Count;

    public override int GetHashCode() => HashCode.Combine(typeof(KeyDataViewType), Count);

    public override string ToString() => $"Key<UInt32, 0-{Count - 1}>";
}

/// <summary>A vector of a known size of primitive items, optionally with several dimensions (row-major).</summary>
public sealed class VectorDataViewType : DataViewType
{
    public VectorDataViewType(PrimitiveDataViewType itemType, params int[] dimensions)
        : base(typeof(VBuffer<>).MakeGenericType(itemType.RawType))
    {
        ArgumentNullException.ThrowIfNull(itemType);
        if (dimensions.Length == 0)
            throw new ArgumentException("A vector type needs at least one dimension.", nameof(dimensions));
        long size = 1;
        foreach (var d in dimensions)
        {
            if (d <= 0)
                throw new ArgumentOutOfRangeException(nameof(dimensions), d, "Vector dimensions must be positive (variable-size vectors are not supported).");
            size *= d;
        }
        if (size > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(dimensions), size, "A vector may hold at most int.MaxValue items.");
        ItemType = itemType;
        Dimensions = [.. dimensions];
        Size = (int)size;
    }

    public PrimitiveDataViewType ItemType { get; }

    /// <summary>The dimensions, outermost first (an image is {Height, Width}).</summary>
    public ImmutableArray<int> Dimensions { get; }

    /// <summary>The total number of items.</summary>
    public int Size { get; }

    public override bool Equals(DataViewType? other) =>
        other is VectorDataViewType v && v.ItemType.Equals(ItemType) && v.Dimensions.SequenceEqual(Dimensions);

    public override int GetHashCode() => HashCode.Combine(ItemType, Size);

    public override string ToString() => $"Vector<{ItemType}, {string.Join(", ", Dimensions)}>";
}

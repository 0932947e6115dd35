namespace MlNetDigits.Data;

/// <summary>
/// A dense vector value as produced by a vector column's getter. The backing array may be longer than
/// <see cref="Length"/> and is reused between rows, as in ML.NET: copy values you want to keep.
/// </summary>
public readonly struct VBuffer<T>
{
    private readonly T[]? _values;

    public VBuffer(int length, T[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (length < 0 || length > values.Length)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"Length must be between 0 and the array length {values.Length}.");
        Length = length;
        _values = values;
    }

    /// <summary>The number of items.</summary>
    public int Length { get; }

    /// <summary>The items (always dense).</summary>
    public ReadOnlySpan<T> GetValues() => _values is null ? default : _values.AsSpan(0, Length);

    /// <summary>Copies the items into <paramref name="destination"/>.</summary>
    public void CopyTo(Span<T> destination) => GetValues().CopyTo(destination);

    /// <summary>A fresh array holding the items.</summary>
    public T[] ToArray() => GetValues().ToArray();

    /// <summary>
    /// Gives a writable span of <paramref name="length"/> items that reuses <paramref name="buffer"/>'s array when it is
    /// large enough, and updates <paramref name="buffer"/> to describe it.
    /// </summary>
    public static Span<T> Edit(ref VBuffer<T> buffer, int length)
    {
        var values = buffer._values;
        if (values is null || values.Length < length)
            values = new T[length];
        buffer = new VBuffer<T>(length, values);
        return values.AsSpan(0, length);
    }

    public override string ToString() => $"VBuffer<{typeof(T).Name}>[{Length}]";
}

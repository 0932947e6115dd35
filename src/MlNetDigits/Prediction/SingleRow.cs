using MlNetDigits.Data;

namespace MlNetDigits.Prediction;

/// <summary>
/// The reusable one-row input of a prediction engine: its getters read whatever the engine put in place for the current
/// prediction. <see cref="Advance"/> moves it to a new position before each prediction, because stages cache per-row work
/// by position (as in ML.NET, a row whose values change must move).
/// </summary>
internal sealed class SingleRow : DataViewRow
{
    private readonly Delegate[] _getters;
    private long _position = -1;

    /// <param name="schema">The row's columns.</param>
    /// <param name="getters">One <see cref="ValueGetter{TValue}"/> per column of <paramref name="schema"/>, in order.</param>
    public SingleRow(DataViewSchema schema, Delegate[] getters)
    {
        if (getters.Length != schema.Count)
            throw new ArgumentException($"Expected {schema.Count} getters, one per column; found {getters.Length}.", nameof(getters));
        Schema = schema;
        _getters = getters;
    }

    public override DataViewSchema Schema { get; }

    public override long Position => _position;

    /// <summary>Moves to the next position: the values about to be read belong to a new row.</summary>
    public void Advance() => _position++;

    public override bool IsColumnActive(DataViewSchema.Column column) => true;

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        CheckGetterType<TValue>(column);
        return (ValueGetter<TValue>)_getters[column.Index];
    }

    /// <summary>A getter that gives the default value of a column of <paramref name="type"/>: 0, false, "", or a zero vector.</summary>
    public static Delegate DefaultGetter(DataViewType type) => type switch
    {
        VectorDataViewType v => (Delegate)typeof(SingleRow).GetMethod(nameof(ZeroVector), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(v.ItemType.RawType).Invoke(null, [v.Size])!,
        TextDataViewType => (ValueGetter<string>)((ref string value) => value = string.Empty),
        _ => (Delegate)typeof(SingleRow).GetMethod(nameof(DefaultScalar), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(type.RawType).Invoke(null, null)!,
    };

    private static ValueGetter<T> DefaultScalar<T>() => (ref T value) => value = default!;

    private static ValueGetter<VBuffer<T>> ZeroVector<T>(int size) => (ref VBuffer<T> value) => VBuffer<T>.Edit(ref value, size).Clear();
}

namespace MlNetDigits.Data;

/// <summary>
/// Growable typed storage for the values of one column, filled from a row's getter slot by slot (a scalar per slot, or a
/// vector's items laid out slot after slot). <c>Cache</c> appends every row, <c>ShuffleRows</c> keeps a pool of slots it
/// overwrites, and <c>Preview</c> boxes slots for display.
/// </summary>
internal abstract class ColumnStore
{
    /// <summary>The values held; slots at or beyond <see cref="Capacity"/> are allocated on demand.</summary>
    public abstract int Capacity { get; }

    /// <summary>Storage for a column of <paramref name="type"/> with room for <paramref name="capacity"/> slots.</summary>
    public static ColumnStore Create(DataViewType type, int capacity)
    {
        var storeType = type switch
        {
            VectorDataViewType v => typeof(VectorStore<>).MakeGenericType(v.ItemType.RawType),
            PrimitiveDataViewType p => typeof(ScalarStore<>).MakeGenericType(p.RawType),
            _ => throw new NotSupportedException($"Columns of type {type} cannot be stored."),
        };
        return (ColumnStore)Activator.CreateInstance(storeType, type, capacity)!;
    }

    /// <summary>Takes the getter of <paramref name="column"/> from <paramref name="row"/>; <see cref="Store"/> reads through it.</summary>
    public abstract void Attach(DataViewRow row, DataViewSchema.Column column);

    /// <summary>Reads the attached row's current value into <paramref name="slot"/>, growing the storage as needed.</summary>
    public abstract void Store(int slot);

    /// <summary>A getter that gives the value in the slot <paramref name="slot"/> returns when it is called.</summary>
    public abstract Delegate MakeSlotGetter(Func<int> slot);

    /// <summary>The value in <paramref name="slot"/> as an object (a vector as a fresh <see cref="VBuffer{T}"/>).</summary>
    public abstract object Box(int slot);

    /// <summary>Adds slots 0..<paramref name="rowCount"/>-1 to <paramref name="builder"/> as a column.</summary>
    public abstract void AddTo(InMemoryDataView.Builder builder, string name, DataViewSchema.Annotations annotations, int rowCount);

    private static int GrownCapacity(long needed, int current)
    {
        if (needed > Array.MaxLength)
            throw new InvalidOperationException($"A column cannot hold more than {Array.MaxLength} values in memory; {needed} were needed.");
        return (int)Math.Min(Array.MaxLength, Math.Max(needed, Math.Max(16L, current * 2L)));
    }

    private sealed class ScalarStore<T>(DataViewType type, int capacity) : ColumnStore
    {
        private readonly PrimitiveDataViewType _type = (PrimitiveDataViewType)type;
        private T[] _values = new T[capacity];
        private ValueGetter<T>? _getter;

        public override int Capacity => _values.Length;

        public override void Attach(DataViewRow row, DataViewSchema.Column column) => _getter = row.GetGetter<T>(column);

        public override void Store(int slot)
        {
            if (slot >= _values.Length)
                Array.Resize(ref _values, GrownCapacity(slot + 1L, _values.Length));
            _getter!(ref _values[slot]);
        }

        public override Delegate MakeSlotGetter(Func<int> slot) => (ValueGetter<T>)((ref T value) => value = _values[slot()]);

        public override object Box(int slot) => _values[slot]!;

        public override void AddTo(InMemoryDataView.Builder builder, string name, DataViewSchema.Annotations annotations, int rowCount)
        {
            if (_values.Length != rowCount)
                Array.Resize(ref _values, rowCount);
            builder.AddScalar(name, _type, _values, annotations);
        }
    }

    private sealed class VectorStore<T>(DataViewType type, int capacity) : ColumnStore
    {
        private readonly VectorDataViewType _type = (VectorDataViewType)type;
        // values: (slots, Size) row-major
        private T[] _values = new T[checked(capacity * ((VectorDataViewType)type).Size)];
        private VBuffer<T> _buffer;
        private ValueGetter<VBuffer<T>>? _getter;
        private DataViewSchema.Column? _column;

        public override int Capacity => _values.Length / _type.Size;

        public override void Attach(DataViewRow row, DataViewSchema.Column column)
        {
            _getter = row.GetGetter<VBuffer<T>>(column);
            _column = column;
        }

        public override void Store(int slot)
        {
            var size = _type.Size;
            _getter!(ref _buffer);
            if (_buffer.Length != size)
                throw new InvalidOperationException($"Column '{_column!.Name}' of type {_type} gave a vector of {_buffer.Length} items instead of {size}.");
            long end = (slot + 1L) * size;
            if (end > _values.Length)
                Array.Resize(ref _values, GrownCapacity(end, _values.Length) / size * size);
            _buffer.GetValues().CopyTo(_values.AsSpan(slot * size, size));
        }

        public override Delegate MakeSlotGetter(Func<int> slot) => (ValueGetter<VBuffer<T>>)((ref VBuffer<T> value) =>
            _values.AsSpan(slot() * _type.Size, _type.Size).CopyTo(VBuffer<T>.Edit(ref value, _type.Size)));

        public override object Box(int slot) => new VBuffer<T>(_type.Size, _values.AsSpan(slot * _type.Size, _type.Size).ToArray());

        public override void AddTo(InMemoryDataView.Builder builder, string name, DataViewSchema.Annotations annotations, int rowCount)
        {
            var length = rowCount * _type.Size;
            if (_values.Length != length)
                Array.Resize(ref _values, length);
            builder.AddVector(name, _type, _values, annotations);
        }
    }
}

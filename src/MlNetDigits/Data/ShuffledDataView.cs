namespace MlNetDigits.Data;

/// <summary>
/// The rows of an input in an order drawn from a seed (<c>ShuffleRows</c>). An input that can shuffle itself (an
/// in-memory or cached view) is asked for a full random permutation; otherwise rows stream through a pool of
/// <c>poolSize</c> rows and each output row is drawn at random from the pool, as ML.NET's shuffle transform does.
/// Every cursor without a random source of its own repeats the same order.
/// </summary>
internal sealed class ShuffledDataView(IDataView input, int seed, int poolSize, bool shuffleSource) : IDataView
{
    public DataViewSchema Schema => input.Schema;

    public bool CanShuffle => true;

    public long? GetRowCount() => input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        rand ??= new Random(seed);
        if (shuffleSource && input.CanShuffle)
            return input.GetRowCursor(columnsNeeded, rand);
        var needed = columnsNeeded.ToArray();
        var source = input.GetRowCursor(needed);
        return poolSize <= 1 ? source : new PoolCursor(source, needed, poolSize, rand);
    }

    /// <summary>Keeps up to poolSize rows; each move hands out a random one and refills its slot from the input.</summary>
    private sealed class PoolCursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor _input;
        private readonly ColumnStore?[] _stores;
        private readonly Delegate?[] _getters;
        private readonly Random _rand;
        private readonly int[] _live;   // live: (poolSize,) storage slots holding rows not yet handed out, first _filled used
        private int _filled;
        private int _pending = -1;      // index into _live of the row handed out last; refilled on the next move
        private int _currentSlot = -1;
        private bool _inputDone;
        private long _position = -1;

        public PoolCursor(DataViewRowCursor input, DataViewSchema.Column[] columns, int poolSize, Random rand)
        {
            _input = input;
            _rand = rand;
            _live = new int[poolSize];
            _stores = new ColumnStore?[input.Schema.Count];
            _getters = new Delegate?[input.Schema.Count];
            var sizeHint = Math.Min(poolSize, 64);
            foreach (var c in columns.DistinctBy(c => c.Index))
            {
                var store = ColumnStore.Create(c.Type, sizeHint);
                store.Attach(input, c);
                _stores[c.Index] = store;
                _getters[c.Index] = store.MakeSlotGetter(CurrentSlot);
            }
        }

        public override DataViewSchema Schema => _input.Schema;

        public override long Position => _position;

        public override bool MoveNext()
        {
            if (_position == -1)
            {
                while (_filled < _live.Length && MoveInput())
                {
                    _live[_filled] = _filled;
                    StoreCurrentInto(_filled);
                    _filled++;
                }
            }
            else if (_pending >= 0)
            {
                if (MoveInput())
                {
                    StoreCurrentInto(_live[_pending]);
                }
                else
                {
                    _live[_pending] = _live[_filled - 1];
                    _filled--;
                }
            }
            if (_filled == 0)
            {
                _pending = -1;
                _currentSlot = -1;
                return false;
            }
            _pending = _rand.Next(_filled);
            _currentSlot = _live[_pending];
            _position++;
            return true;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => _getters[column.Index] is not null;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            CheckGetterType<TValue>(column);
            return _getters[column.Index] as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was made.");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _input.Dispose();
        }

        private bool MoveInput()
        {
            if (_inputDone)
                return false;
            _inputDone = !_input.MoveNext();
            return !_inputDone;
        }

        private void StoreCurrentInto(int slot)
        {
            foreach (var store in _stores)
                store?.Store(slot);
        }

        private int CurrentSlot() => _currentSlot >= 0 ? _currentSlot
            : throw new InvalidOperationException("The cursor is not on a row: call MoveNext first and check that it returned true.");
    }
}

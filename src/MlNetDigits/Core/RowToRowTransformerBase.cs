using MlNetDigits.Data;
using MlNetDigits.Model;

namespace MlNetDigits.Core;

/// <summary>
/// Base of every transformer that adds columns computed from the same row: subclasses say which columns they add
/// (checking the input schema) and how to compute each; this class provides the lazy data view, schema propagation
/// and single-row mapping for prediction engines.
/// </summary>
public abstract class RowToRowTransformerBase : ITransformer
{
    /// <summary>A column this transformer adds.</summary>
    public sealed record OutputColumn(string Name, DataViewType Type, DataViewSchema.Annotations? Annotations = null);

    /// <summary>
    /// The columns added for <paramref name="inputSchema"/>. Throws <see cref="SchemaException"/> naming the column when
    /// the input lacks what the transformer needs.
    /// </summary>
    protected abstract IReadOnlyList<OutputColumn> GetOutputColumns(DataViewSchema inputSchema);

    /// <summary>The input columns the computation of output <paramref name="outputIndex"/> reads.</summary>
    protected abstract IEnumerable<string> GetDependencies(DataViewSchema inputSchema, int outputIndex);

    /// <summary>
    /// A <see cref="ValueGetter{TValue}"/> for output <paramref name="outputIndex"/> reading from <paramref name="input"/>.
    /// Called once per cursor; the getter is called once per row and should reuse its buffers.
    /// </summary>
    protected abstract Delegate MakeGetter(DataViewRow input, int outputIndex);

    public abstract void Save(ModelSaveContext context);

    public bool IsRowToRowMapper => true;

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) =>
        inputSchema.Append(GetOutputColumns(inputSchema).Select(c => (c.Name, c.Type, c.Annotations)));

    public IDataView Transform(IDataView input) => new MappedDataView(this, input);

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    /// <summary>The input column <paramref name="name"/>, or a <see cref="SchemaException"/> when it is missing or not of an allowed type.</summary>
    protected static DataViewSchema.Column RequireColumn(DataViewSchema schema, string name, string expected, Func<DataViewType, bool> isAllowed)
    {
        var column = schema.GetColumnOrNull(name) ?? throw new SchemaException(name, expected, null);
        if (!isAllowed(column.Type))
            throw new SchemaException(name, expected, column.Type.ToString());
        return column;
    }

    private sealed class Mapper(RowToRowTransformerBase owner, DataViewSchema inputSchema) : IRowToRowMapper
    {
        private readonly IReadOnlyList<OutputColumn> _outputs = owner.GetOutputColumns(inputSchema);

        public DataViewSchema InputSchema { get; } = inputSchema;

        public DataViewSchema OutputSchema { get; } = owner.GetOutputSchema(inputSchema);

        public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
            new MappedRow(owner, input, OutputSchema, _outputs.Count, activeColumns);
    }

    private sealed class MappedDataView(RowToRowTransformerBase owner, IDataView input) : IDataView
    {
        private readonly IReadOnlyList<OutputColumn> _outputs = owner.GetOutputColumns(input.Schema);

        public DataViewSchema Schema { get; } = owner.GetOutputSchema(input.Schema);

        public bool CanShuffle => input.CanShuffle;

        public long? GetRowCount() => input.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            var needed = columnsNeeded.ToList();
            var inputCount = input.Schema.Count;
            var inputNeeded = new HashSet<int>();
            foreach (var c in needed)
            {
                if (c.Index < inputCount)
                    inputNeeded.Add(c.Index);
                else
                    foreach (var dep in owner.GetDependencies(input.Schema, c.Index - inputCount))
                        inputNeeded.Add(input.Schema[dep].Index);
            }
            var cursor = input.GetRowCursor(inputNeeded.Select(i => input.Schema[i]), rand);
            return new MappedCursor(new MappedRow(owner, cursor, Schema, _outputs.Count, needed), cursor);
        }
    }

    /// <summary>A row that passes input columns through and computes the added ones on demand.</summary>
    private sealed class MappedRow : DataViewRow
    {
        private readonly DataViewRow _input;
        private readonly DataViewSchema _schema;
        private readonly Delegate?[] _getters;
        private readonly bool[] _active;

        public MappedRow(RowToRowTransformerBase owner, DataViewRow input, DataViewSchema schema, int outputCount,
            IEnumerable<DataViewSchema.Column> activeColumns)
        {
            _input = input;
            _schema = schema;
            _active = new bool[schema.Count];
            foreach (var c in activeColumns)
                _active[c.Index] = true;
            var inputCount = schema.Count - outputCount;
            _getters = new Delegate?[outputCount];
            for (int i = 0; i < outputCount; i++)
                if (_active[inputCount + i])
                    _getters[i] = owner.MakeGetter(input, i);
        }

        public override DataViewSchema Schema => _schema;

        public override long Position => _input.Position;

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            CheckGetterType<TValue>(column);
            var inputCount = _schema.Count - _getters.Length;
            if (column.Index < inputCount)
                return _input.GetGetter<TValue>(_input.Schema[column.Index]);
            return _getters[column.Index - inputCount] as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was made.");
        }
    }

    private sealed class MappedCursor(MappedRow row, DataViewRowCursor input) : DataViewRowCursor
    {
        public override DataViewSchema Schema => row.Schema;

        public override long Position => input.Position;

        public override bool MoveNext() => input.MoveNext();

        public override bool IsColumnActive(DataViewSchema.Column column) => row.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => row.GetGetter<TValue>(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                input.Dispose();
        }
    }
}

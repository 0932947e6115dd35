using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetDigits.Cli.Export;

/// <summary>
/// A data view with a schema and no rows: the saved input schema of a model (annotations included), for ML.NET calls
/// that need the shape of the data but never its rows, such as <c>ml.Model.ConvertToOnnx</c>.
/// </summary>
internal sealed class SchemaOnlyDataView(DataViewSchema schema) : IDataView
{
    public DataViewSchema Schema { get; } = schema;

    public bool CanShuffle => false;

    public long? GetRowCount() => 0;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new EmptyCursor(Schema, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    /// <summary>A cursor that is done before it starts.</summary>
    private sealed class EmptyCursor(DataViewSchema schema, IEnumerable<DataViewSchema.Column> columnsNeeded) : DataViewRowCursor
    {
        private readonly HashSet<int> _active = [.. columnsNeeded.Select(c => c.Index)];

        public override DataViewSchema Schema { get; } = schema;

        public override long Position => -1;

        public override long Batch => 0;

        public override bool MoveNext() => false;

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId value) => throw NoRows();

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => (ref TValue value) => throw NoRows();

        private static InvalidOperationException NoRows() => new("This data view only carries a schema; it has no rows to read.");
    }
}

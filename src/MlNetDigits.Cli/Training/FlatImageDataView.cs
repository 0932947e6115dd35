using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetDigits.Cli.Training;

/// <summary>
/// The rows of another data view with its image column typed as a flat vector: Vector&lt;Single, H, W&gt; becomes
/// Vector&lt;Single, H*W&gt;, values untouched. SDCA trains on it so that its saved model (input schema, normaliser output)
/// holds no 2-D shape: ML.NET's ConvertToOnnx writes vector dimensions into the graph, and ONNX Runtime's LinearClassifier
/// refuses inputs of more than two dimensions, so an SDCA model fitted on 28 x 28 images converts to an ONNX file that
/// does not load. ML.NET transforms compare vector sizes only, so the model still scores the 28 x 28 test images.
/// </summary>
internal sealed class FlatImageDataView : IDataView
{
    private readonly IDataView _input;

    /// <param name="input">The data; its <paramref name="imageColumnName"/> column must be a vector of known size.</param>
    /// <param name="imageColumnName">The column to flatten.</param>
    public FlatImageDataView(IDataView input, string imageColumnName = "Image")
    {
        _input = input;
        if (input.Schema.GetColumnOrNull(imageColumnName)?.Type is not VectorDataViewType { IsKnownSize: true })
            throw new ArgumentException($"Column '{imageColumnName}' must be a vector of known size to flatten; found {input.Schema.GetColumnOrNull(imageColumnName)?.Type.ToString() ?? "no such column"}.", nameof(imageColumnName));
        var builder = new DataViewSchema.Builder();
        foreach (var column in input.Schema)
        {
            var type = column.Name == imageColumnName && column.Type is VectorDataViewType vector
                ? new VectorDataViewType(vector.ItemType, vector.Size)
                : column.Type;
            builder.AddColumn(column.Name, type, column.Annotations);
        }
        Schema = builder.ToSchema();
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => _input.CanShuffle;

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(Schema, _input.GetRowCursor(Inner(columnsNeeded), rand));

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [.. _input.GetRowCursorSet(Inner(columnsNeeded), n, rand).Select(c => new Cursor(Schema, c))];

    /// <summary>The input's columns at the same indices (the schemas differ only in the image column's shape).</summary>
    private IEnumerable<DataViewSchema.Column> Inner(IEnumerable<DataViewSchema.Column> columns) => columns.Select(c => _input.Schema[c.Index]);

    /// <summary>The input's cursor seen through the flat schema.</summary>
    private sealed class Cursor(DataViewSchema schema, DataViewRowCursor inner) : DataViewRowCursor
    {
        public override DataViewSchema Schema { get; } = schema;

        public override long Position => inner.Position;

        public override long Batch => inner.Batch;

        public override bool MoveNext() => inner.MoveNext();

        public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => inner.IsColumnActive(inner.Schema[column.Index]);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => inner.GetGetter<TValue>(inner.Schema[column.Index]);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                inner.Dispose();
            base.Dispose(disposing);
        }
    }
}

using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetDigits;

/// <summary>
/// The ML.NET <see cref="IDataView"/> that <c>LoadFromIdx</c> returns: columns "Label" (UInt32, the class value) and
/// "Image" (Vector&lt;Single, Rows × Columns&gt; of raw pixel values 0..255, row-major, with its shape recorded in an
/// "ImageShape" annotation: Int32 (channels, rows, columns)). The vector is flat, as ML.NET's own trainers and its ONNX
/// converter expect features to be; the CNN trainer reads the shape from the annotation.
/// The pixels stay as bytes and are widened to floats only when a cursor reads them; cursors may visit rows shuffled
/// (so ML.NET's ShuffleRows needs no pool) and several cursors may run in parallel.
/// </summary>
public sealed class IdxDataView : IDataView
{
    /// <summary>The name of the label column.</summary>
    public const string LabelColumnName = "Label";

    /// <summary>The name of the image column.</summary>
    public const string ImageColumnName = "Image";

    /// <summary>The annotation kind recording an image column's shape: a vector of three Int32, (channels, rows, columns).</summary>
    public const string ImageShapeAnnotation = "ImageShape";

    private readonly byte[] _pixels; // (RowCount, Height, Width)
    private readonly byte[] _labels; // (RowCount)

    internal IdxDataView(IdxImages images, byte[] labels)
    {
        if (labels.Length != images.Count)
            throw new ArgumentException($"{labels.Length} labels for {images.Count} images.", nameof(labels));
        _pixels = images.Pixels;
        _labels = labels;
        RowCount = images.Count;
        Height = images.Rows;
        Width = images.Columns;
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(LabelColumnName, NumberDataViewType.UInt32);
        builder.AddColumn(ImageColumnName, new VectorDataViewType(NumberDataViewType.Single, Height * Width), ShapeAnnotation(1, Height, Width));
        Schema = builder.ToSchema();
    }

    public DataViewSchema Schema { get; }

    /// <summary>
    /// One data view holding the rows of <paramref name="views"/> one after the other (e.g. MNIST's training images and
    /// the corrections people made), copied; the images must have the same size.
    /// </summary>
    /// <exception cref="ArgumentException">The views hold images of different sizes, or there are none.</exception>
    public static IdxDataView Concatenate(params IdxDataView[] views)
    {
        ArgumentNullException.ThrowIfNull(views);
        if (views.Length == 0)
            throw new ArgumentException("Concatenate needs at least one data view.", nameof(views));
        var first = views[0];
        foreach (var view in views)
            if (view.Height != first.Height || view.Width != first.Width)
                throw new ArgumentException($"Cannot concatenate {view.Height}x{view.Width} images with {first.Height}x{first.Width} ones.", nameof(views));
        long rows = views.Sum(v => (long)v.RowCount);
        if (rows * first.Height * first.Width > Array.MaxLength)
            throw new ArgumentException($"{rows:N0} images of {first.Height}x{first.Width} do not fit in one array.", nameof(views));
        var pixels = new byte[rows * first.Height * first.Width];
        var labels = new byte[rows];
        int row = 0;
        foreach (var view in views)
        {
            view._pixels.CopyTo(pixels, (long)row * first.Height * first.Width);
            view._labels.CopyTo(labels, row);
            row += view.RowCount;
        }
        return new IdxDataView(new IdxImages((int)rows, first.Height, first.Width, pixels), labels);
    }

    /// <summary>An "ImageShape" annotation of (channels, rows, columns), for a column of images stored as a flat vector.</summary>
    public static DataViewSchema.Annotations ShapeAnnotation(int channels, int rows, int columns)
    {
        var annotations = new DataViewSchema.Annotations.Builder();
        annotations.Add(ImageShapeAnnotation, new VectorDataViewType(NumberDataViewType.Int32, 3),
            (ref VBuffer<int> value) => value = new VBuffer<int>(3, [channels, rows, columns]));
        return annotations.ToAnnotations();
    }

    public bool CanShuffle => true;

    /// <summary>The number of rows (images).</summary>
    public int RowCount { get; }

    /// <summary>The image height in pixels.</summary>
    public int Height { get; }

    /// <summary>The image width in pixels.</summary>
    public int Width { get; }

    /// <summary>The raw pixels, image after image, for code that reads the whole set at once. // (RowCount, Height, Width)</summary>
    public ReadOnlyMemory<byte> Pixels => _pixels;

    /// <summary>The raw labels, one byte per image.</summary>
    public ReadOnlyMemory<byte> Labels => _labels;

    public long? GetRowCount() => RowCount;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        return new Cursor(this, rand is null ? null : ShuffledOrder(rand), columnsNeeded);
    }

    /// <summary>One cursor: the rows are cheap to read, so splitting them over threads would gain nothing.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    // Fisher-Yates over the row indices with the caller's generator.
    private int[] ShuffledOrder(Random rand)
    {
        var order = new int[RowCount];
        for (int i = 0; i < order.Length; i++)
            order[i] = i;
        for (int i = order.Length - 1; i > 0; i--)
        {
            var j = rand.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly IdxDataView _view;
        private readonly int[]? _order;
        private readonly bool[] _active;
        private long _position = -1;

        public Cursor(IdxDataView view, int[]? order, IEnumerable<DataViewSchema.Column> active)
        {
            _view = view;
            _order = order;
            _active = new bool[view.Schema.Count];
            foreach (var c in active)
            {
                if (c.Index >= _active.Length || view.Schema[c.Index].Name != c.Name)
                    throw new ArgumentException($"Column '{c.Name}' does not belong to this data view's schema.", nameof(active));
                _active[c.Index] = true;
            }
        }

        public override DataViewSchema Schema => _view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (_position >= _view.RowCount)
                return false;
            _position++;
            return _position < _view.RowCount;
        }

        /// <summary>A row's id is its index in the files, whatever order the cursor visits rows in.</summary>
        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId id) => id = new DataViewRowId((ulong)Row(), 0);

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index >= _active.Length || !_active[column.Index])
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was made.");
            var expected = column.Index == 0 ? typeof(uint) : typeof(VBuffer<float>);
            if (typeof(TValue) != expected)
                throw new InvalidOperationException($"Column '{column.Name}' holds {expected.Name} values; a getter of {typeof(TValue).Name} was asked for.");
            if (column.Index == 0)
                return (ValueGetter<TValue>)(Delegate)(ValueGetter<uint>)((ref uint value) => value = _view._labels[Row()]);
            return (ValueGetter<TValue>)(Delegate)(ValueGetter<VBuffer<float>>)GetImage;
        }

        private void GetImage(ref VBuffer<float> value)
        {
            var size = _view.Height * _view.Width;
            var source = _view._pixels.AsSpan(Row() * size, size);
            var editor = VBufferEditor.Create(ref value, size);
            TensorPrimitives.ConvertChecked(source, editor.Values);
            value = editor.Commit();
        }

        /// <summary>The storage row of the current position; throws when the cursor is not on a row.</summary>
        private int Row()
        {
            if (_position < 0 || _position >= _view.RowCount)
                throw new InvalidOperationException("The cursor is not on a row: call MoveNext first and check that it returned true.");
            var p = (int)_position;
            return _order is null ? p : _order[p];
        }
    }
}

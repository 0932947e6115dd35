namespace MlNetDigits.Engine.Sdca;

/// <summary>
/// Training examples for a linear learner in compressed-row form: row <c>i</c>'s non-zero features are
/// <c>Values[RowStart[i]..RowStart[i+1])</c> at columns <c>Indices[...]</c>. Zeros are dropped, which changes nothing for a
/// linear model and skips most of an MNIST image (about 81% of its pixels are 0).
/// </summary>
public sealed class SparseRows
{
    /// <param name="featureCount">The number of columns (the dense vector size).</param>
    /// <param name="rowStart">(Count + 1) offsets into <paramref name="indices"/> and <paramref name="values"/>.</param>
    /// <param name="indices">Column of each stored value, increasing within a row.</param>
    /// <param name="values">The stored (non-zero) values.</param>
    public SparseRows(int featureCount, int[] rowStart, int[] indices, float[] values)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureCount);
        ArgumentNullException.ThrowIfNull(rowStart);
        if (rowStart.Length == 0 || rowStart[0] != 0 || rowStart[^1] != values.Length || indices.Length != values.Length)
            throw new ArgumentException("rowStart must start at 0 and end at the number of stored values, and indices must match values.", nameof(rowStart));
        FeatureCount = featureCount;
        RowStart = rowStart;
        Indices = indices;
        Values = values;
    }

    /// <summary>The number of rows.</summary>
    public int Count => RowStart.Length - 1;

    public int FeatureCount { get; }

    public int[] RowStart { get; }

    public int[] Indices { get; }

    public float[] Values { get; }

    /// <summary>The stored column indices of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<int> RowIndices(int row) => Indices.AsSpan(RowStart[row], RowStart[row + 1] - RowStart[row]);

    /// <summary>The stored values of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<float> RowValues(int row) => Values.AsSpan(RowStart[row], RowStart[row + 1] - RowStart[row]);

    /// <summary>Compresses dense rows laid out one after another (<paramref name="dense"/>: (rows, featureCount)).</summary>
    public static SparseRows FromDense(ReadOnlySpan<float> dense, int featureCount)
    {
        if (featureCount <= 0 || dense.Length % featureCount != 0)
            throw new ArgumentException($"{dense.Length} values are not whole rows of {featureCount}.", nameof(dense));
        var builder = new Builder(featureCount);
        for (int offset = 0; offset < dense.Length; offset += featureCount)
            builder.AddRow(dense.Slice(offset, featureCount));
        return builder.Build();
    }

    /// <summary>Appends dense rows one at a time, keeping only their non-zero values.</summary>
    public sealed class Builder(int featureCount)
    {
        private int[] _rowStart = new int[1024];
        private int[] _indices = new int[4096];
        private float[] _values = new float[4096];
        private int _rows;
        private int _stored;

        /// <summary>The number of rows added so far.</summary>
        public int Count => _rows;

        /// <summary>Adds one row given densely (its length must be the feature count).</summary>
        public void AddRow(ReadOnlySpan<float> row)
        {
            if (row.Length != featureCount)
                throw new ArgumentException($"A row needs {featureCount} values, got {row.Length}.", nameof(row));
            if (_rows + 2 > _rowStart.Length)
                Array.Resize(ref _rowStart, _rowStart.Length * 2);
            if (_stored + row.Length > _values.Length)
            {
                var size = Math.Max(_values.Length * 2, _stored + row.Length);
                Array.Resize(ref _indices, size);
                Array.Resize(ref _values, size);
            }
            for (int j = 0; j < row.Length; j++)
            {
                if (row[j] != 0)
                {
                    _indices[_stored] = j;
                    _values[_stored] = row[j];
                    _stored++;
                }
            }
            _rows++;
            _rowStart[_rows] = _stored;
        }

        /// <summary>The rows added, trimmed to size.</summary>
        public SparseRows Build() =>
            new(featureCount, _rowStart.AsSpan(0, _rows + 1).ToArray(), _indices.AsSpan(0, _stored).ToArray(), _values.AsSpan(0, _stored).ToArray());
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetDigits;

/// <summary>
/// Turns the one-hot arg-max that the exported ONNX graph computes into ML.NET's scalar key "PredictedLabel", using only
/// a standard ML.NET component so that saved models load without this library: ML.NET's multinomial naive Bayes, trained
/// on exactly K rows (row k: the one-hot vector e_k labelled with key k + 1). With Laplace smoothing its score for class c
/// on input e_j is log(1/K) + log(2/(1+K)) · K when c = j and strictly less otherwise, so it predicts j for e_j: an exact
/// lookup. Why not read the ONNX output directly: ML.NET's OnnxTransformer gives every output as a vector (a batch axis
/// of size 1), and its rank-0 outputs fail when read (MakeObjectGetter enumerates a tensor as a sequence), so a scalar
/// key cannot come from the graph itself.
/// </summary>
internal static class ArgMaxKeyLookup
{
    /// <summary>The name of the one-hot column the ONNX graph gives (Vector&lt;Single, 1, K&gt;).</summary>
    public const string OneHotColumnName = "PredictedOneHot";

    /// <summary>
    /// A fitted naive Bayes whose PredictedLabel has exactly the type and annotations of <paramref name="label"/> (a UInt32
    /// key of K values, e.g. the training label) and reads <see cref="OneHotColumnName"/>.
    /// </summary>
    public static ITransformer Fit(MLContext ml, DataViewSchema.Column label)
    {
        var rows = new LookupRows(label);
        return ml.MulticlassClassification.Trainers.NaiveBayes(label.Name, OneHotColumnName).Fit(rows);
    }

    /// <summary>K rows: (key k + 1, e_k as Vector&lt;Single, 1, K&gt;), the label column carrying the source's annotations.</summary>
    private sealed class LookupRows : IDataView
    {
        private readonly int _classes;

        public LookupRows(DataViewSchema.Column label)
        {
            _classes = (int)((KeyDataViewType)label.Type).Count;
            var builder = new DataViewSchema.Builder();
            builder.AddColumn(label.Name, label.Type, label.Annotations);
            builder.AddColumn(OneHotColumnName, new VectorDataViewType(NumberDataViewType.Single, 1, _classes));
            Schema = builder.ToSchema();
        }

        public DataViewSchema Schema { get; }

        public bool CanShuffle => false;

        public long? GetRowCount() => _classes;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

        private sealed class Cursor(LookupRows rows) : DataViewRowCursor
        {
            private long _position = -1;

            public override DataViewSchema Schema => rows.Schema;

            public override long Position => _position;

            public override long Batch => 0;

            public override bool MoveNext() => ++_position < rows._classes;

            public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

            public override bool IsColumnActive(DataViewSchema.Column column) => true;

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                if (column.Index == 0)
                    return (ValueGetter<TValue>)(Delegate)(ValueGetter<uint>)((ref uint key) => key = (uint)_position + 1);
                return (ValueGetter<TValue>)(Delegate)(ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                {
                    var editor = VBufferEditor.Create(ref value, rows._classes);
                    editor.Values.Clear();
                    editor.Values[(int)_position] = 1;
                    value = editor.Commit();
                });
            }
        }
    }
}

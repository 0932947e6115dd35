using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Model;

namespace MlNetDigits.Trainers;

/// <summary>
/// Base of every trained multiclass model: reads a Single feature vector and adds "Score" (Vector&lt;Single, K&gt;, the
/// class probabilities, with SlotNames and ScoreColumnKind annotations) and "PredictedLabel" (the most probable class, in
/// the training label's type: a key with its KeyValues, or the integer type). A row's scores are computed once and shared
/// by both columns. Subclasses only implement <see cref="Score"/> (and, when they can do better, <see cref="ScoreBatchCore"/>),
/// plus their own saving.
/// </summary>
public abstract class MulticlassPredictionTransformer : RowToRowTransformerBase
{
    /// <summary>The name of the probabilities column.</summary>
    public const string ScoreColumnName = "Score";

    /// <summary>The name of the predicted class column.</summary>
    public const string PredictedLabelColumnName = "PredictedLabel";

    private const string PredictionEntry = "prediction.json";

    // One scorer per input row object, so the Score and PredictedLabel getters of one cursor share a row's scores.
    private readonly ConditionalWeakTable<DataViewRow, RowScorer> _scorers = [];

    protected MulticlassPredictionTransformer(string featureColumnName, int featureCount, MulticlassLabelInfo label)
    {
        ArgumentException.ThrowIfNullOrEmpty(featureColumnName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureCount);
        FeatureColumnName = featureColumnName;
        FeatureCount = featureCount;
        Label = label ?? throw new ArgumentNullException(nameof(label));
    }

    /// <summary>The input column holding the features (a Single vector of <see cref="FeatureCount"/> items).</summary>
    public string FeatureColumnName { get; }

    /// <summary>The number of features the model reads.</summary>
    public int FeatureCount { get; }

    /// <summary>The training label: its type, classes and class names.</summary>
    public MulticlassLabelInfo Label { get; }

    /// <summary>The number of classes K.</summary>
    public int ClassCount => Label.ClassCount;

    /// <summary>Writes the class probabilities of one example (<paramref name="features"/>: (FeatureCount), <paramref name="probabilities"/>: (K)).</summary>
    protected abstract void Score(ReadOnlySpan<float> features, Span<float> probabilities);

    /// <summary>
    /// Scores <paramref name="count"/> examples at once (<paramref name="features"/>: (count, FeatureCount),
    /// <paramref name="probabilities"/>: (count, K)). The default scores row by row; models with a faster batched form override it.
    /// </summary>
    protected virtual void ScoreBatchCore(ReadOnlySpan<float> features, int count, Span<float> probabilities)
    {
        for (int i = 0; i < count; i++)
            Score(features.Slice(i * FeatureCount, FeatureCount), probabilities.Slice(i * ClassCount, ClassCount));
    }

    /// <summary>The class probabilities of one example.</summary>
    public void PredictProbabilities(ReadOnlySpan<float> features, Span<float> probabilities)
    {
        CheckLengths(features.Length, probabilities.Length, 1);
        Score(features, probabilities);
    }

    /// <summary>The class probabilities of examples laid out one after another: (count, FeatureCount) in, (count, K) out.</summary>
    public void PredictProbabilitiesBatch(ReadOnlySpan<float> features, Span<float> probabilities)
    {
        int count = features.Length / FeatureCount;
        CheckLengths(features.Length, probabilities.Length, count);
        ScoreBatchCore(features, count, probabilities);
    }

    /// <summary>The index of the largest value (the first on ties): the predicted class.</summary>
    public static int ArgMax(ReadOnlySpan<float> scores)
    {
        int best = 0;
        for (int c = 1; c < scores.Length; c++)
            if (scores[c] > scores[best])
                best = c;
        return best;
    }

    /// <summary>In place: p = exp(s - max s) / sum exp(s - max s).</summary>
    public static void Softmax(Span<float> scores)
    {
        float max = TensorPrimitives.Max(scores);
        TensorPrimitives.Subtract(scores, max, scores);
        TensorPrimitives.Exp(scores, scores);
        float sum = TensorPrimitives.Sum(scores);
        TensorPrimitives.Divide(scores, sum, scores);
    }

    protected override IReadOnlyList<OutputColumn> GetOutputColumns(DataViewSchema inputSchema)
    {
        CheckFeatureColumn(inputSchema);
        return
        [
            new OutputColumn(ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, ClassCount), Label.ScoreAnnotations()),
            new OutputColumn(PredictedLabelColumnName, Label.PredictedLabelType, Label.KeyValueAnnotations),
        ];
    }

    protected override IEnumerable<string> GetDependencies(DataViewSchema inputSchema, int outputIndex) => [FeatureColumnName];

    protected override Delegate MakeGetter(DataViewRow input, int outputIndex)
    {
        var scorer = _scorers.GetValue(input, row => new RowScorer(this, row));
        if (outputIndex == 0)
        {
            return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                scorer.Current().CopyTo(VBuffer<float>.Edit(ref value, ClassCount)));
        }
        return Label.PredictedLabelType.RawType switch
        {
            var t when t == typeof(uint) => (ValueGetter<uint>)((ref uint value) => value = (uint)(scorer.PredictedClass() + (Label.IsKey ? 1 : 0))),
            var t when t == typeof(int) => (ValueGetter<int>)((ref int value) => value = scorer.PredictedClass()),
            var t when t == typeof(long) => (ValueGetter<long>)((ref long value) => value = scorer.PredictedClass()),
            var t when t == typeof(byte) => (ValueGetter<byte>)((ref byte value) => value = (byte)scorer.PredictedClass()),
            var t => throw new InvalidOperationException($"Unsupported label type {Label.PredictedLabelType} (raw {t.Name})."),
        };
    }

    /// <summary>Throws a <see cref="SchemaException"/> unless the schema holds the feature column as Vector&lt;Single, FeatureCount&gt;.</summary>
    protected void CheckFeatureColumn(DataViewSchema inputSchema) =>
        RequireColumn(inputSchema, FeatureColumnName, $"Vector<Single> of {FeatureCount} items (the size the model was trained with)",
            t => t is VectorDataViewType { ItemType: NumberDataViewType n } v && n == NumberDataViewType.Single && v.Size == FeatureCount);

    /// <summary>Writes the feature column, feature count and label info (subclasses call it from <c>Save</c>).</summary>
    protected void SavePrediction(ModelSaveContext context)
    {
        context.WriteJson(PredictionEntry, new StoredPrediction(FeatureColumnName, FeatureCount));
        Label.Save(context, "label.json");
    }

    /// <summary>Reads what <see cref="SavePrediction"/> wrote.</summary>
    protected static (string FeatureColumnName, int FeatureCount, MulticlassLabelInfo Label) LoadPrediction(ModelLoadContext context)
    {
        var stored = context.ReadJson<StoredPrediction>(PredictionEntry);
        if (string.IsNullOrEmpty(stored.FeatureColumnName) || stored.FeatureCount <= 0)
            throw new InvalidModelException($"Model entry '{context.Folder}/{PredictionEntry}' lacks a feature column name or a positive feature count.");
        return (stored.FeatureColumnName, stored.FeatureCount, MulticlassLabelInfo.Load(context, "label.json"));
    }

    private void CheckLengths(int featureLength, int probabilityLength, int count)
    {
        if (featureLength != count * FeatureCount || count == 0)
            throw new ArgumentException($"Expected whole examples of {FeatureCount} features, got {featureLength} values.", "features");
        if (probabilityLength != count * ClassCount)
            throw new ArgumentException($"Expected room for {count} x {ClassCount} probabilities, got {probabilityLength}.", "probabilities");
    }

    private sealed record StoredPrediction(string FeatureColumnName, int FeatureCount);

    /// <summary>
    /// Scores the current row of one cursor at most once: the result is cached by row position (as in ML.NET, a row whose
    /// values change must move to a new position).
    /// </summary>
    private sealed class RowScorer
    {
        private readonly MulticlassPredictionTransformer _owner;
        private readonly DataViewRow _row;
        private readonly ValueGetter<VBuffer<float>> _features;
        private readonly float[] _scores;
        private VBuffer<float> _buffer;
        private long _position = -1;
        private bool _scored;

        public RowScorer(MulticlassPredictionTransformer owner, DataViewRow row)
        {
            _owner = owner;
            _row = row;
            _features = row.GetGetter<VBuffer<float>>(row.Schema[owner.FeatureColumnName]);
            _scores = new float[owner.ClassCount];
        }

        public ReadOnlySpan<float> Current()
        {
            if (!_scored || _row.Position != _position)
            {
                _features(ref _buffer);
                if (_buffer.Length != _owner.FeatureCount)
                    throw new InvalidOperationException(
                        $"Row {_row.Position} of column '{_owner.FeatureColumnName}' has {_buffer.Length} values; the model needs {_owner.FeatureCount}.");
                _owner.Score(_buffer.GetValues(), _scores);
                _position = _row.Position;
                _scored = true;
            }
            return _scores;
        }

        public int PredictedClass() => ArgMax(Current());
    }
}

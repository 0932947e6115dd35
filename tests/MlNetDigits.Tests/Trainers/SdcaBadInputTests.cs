using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Trainers;
using Options = MlNetDigits.Trainers.SdcaMaximumEntropyMulticlassTrainer.Options;

namespace MlNetDigits.Tests.Trainers;

public sealed class SdcaBadInputTests
{
    private static readonly VectorDataViewType Four = new(NumberDataViewType.Single, 4);

    [Fact]
    public void Fit_ThrowsSchemaException_GivenAFloatLabel()
    {
        var data = new InMemoryDataView.Builder()
            .AddScalar("Label", NumberDataViewType.Single, [0f, 1f])
            .AddVector("Features", Four, new float[8])
            .Build();

        var e = Assert.Throws<SchemaException>(() => Trainer().Fit(data));
        Assert.Equal("Label", e.ColumnName);
        Assert.Contains("key", e.Message, StringComparison.Ordinal);
        Assert.Contains("Single", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_ThrowsSchemaException_GivenScalarFeatures()
    {
        var data = new InMemoryDataView.Builder()
            .AddScalar("Label", NumberDataViewType.UInt32, [0u, 1u])
            .AddScalar("Features", NumberDataViewType.Single, [0f, 1f])
            .Build();

        var e = Assert.Throws<SchemaException>(() => Trainer().Fit(data));
        Assert.Equal("Features", e.ColumnName);
        Assert.Contains("vector of Single", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_ThrowsSchemaException_GivenAMissingFeatureColumn()
    {
        var data = new InMemoryDataView.Builder().AddScalar("Label", NumberDataViewType.UInt32, [0u, 1u]).Build();
        var e = Assert.Throws<SchemaException>(() => Trainer().Fit(data));
        Assert.Equal("Features", e.ColumnName);
        Assert.Null(e.Found);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    public void Fit_NamesTheRow_GivenANonFiniteFeature(float bad, string shown)
    {
        var features = new float[4 * 6];
        features[3 * 4 + 2] = bad;
        var data = new InMemoryDataView.Builder()
            .AddScalar("Label", NumberDataViewType.UInt32, [0u, 1u, 0u, 1u, 0u, 1u])
            .AddVector("Features", Four, features)
            .Build();

        var e = Assert.Throws<InvalidOperationException>(() => Trainer().Fit(data));
        Assert.Contains("Row 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("feature 2", e.Message, StringComparison.Ordinal);
        Assert.Contains(shown, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_NamesTheRow_GivenAVectorShorterThanItsType()
    {
        var inner = new InMemoryDataView.Builder()
            .AddScalar("Label", NumberDataViewType.UInt32, [0u, 1u, 0u])
            .AddVector("Features", Four, new float[12])
            .Build();

        var e = Assert.Throws<InvalidOperationException>(() => Trainer().Fit(new ShortVectorView(inner, badRow: 1)));
        Assert.Contains("Row 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("3 values", e.Message, StringComparison.Ordinal);
        Assert.Contains("declares 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_Throws_GivenAnEmptyDataView()
    {
        var data = new InMemoryDataView.Builder()
            .AddScalar("Label", NumberDataViewType.UInt32, Array.Empty<uint>())
            .AddVector("Features", Four, Array.Empty<float>())
            .Build();

        var e = Assert.Throws<InvalidOperationException>(() => Trainer().Fit(data));
        Assert.Contains("empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_Throws_WhenEveryKeyLabelIsMissing()
    {
        var data = new InMemoryDataView.Builder()
            .AddScalar("Label", new KeyDataViewType(3), [0u, 0u])
            .AddVector("Features", Four, new float[8])
            .Build();

        var e = Assert.Throws<InvalidOperationException>(() => Trainer().Fit(data));
        Assert.Contains("missing label", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_NamesTheRow_GivenANegativeIntegerLabel()
    {
        var data = new InMemoryDataView.Builder()
            .AddScalar("Label", NumberDataViewType.Int32, [0, 1, -1])
            .AddVector("Features", Four, new float[12])
            .Build();

        var e = Assert.Throws<InvalidOperationException>(() => Trainer().Fit(data));
        Assert.Contains("Row 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("-1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_Throws_GivenASingleClass()
    {
        var data = new InMemoryDataView.Builder()
            .AddScalar("Label", NumberDataViewType.UInt32, [0u, 0u])
            .AddVector("Features", Four, new float[8])
            .Build();

        var e = Assert.Throws<InvalidOperationException>(() => Trainer().Fit(data));
        Assert.Contains("at least two", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1f, null, null)]
    [InlineData(null, -0.5f, null)]
    [InlineData(null, null, 0)]
    public void Options_AreRejected_WhenOutOfRange(float? l2, float? l1, int? iterations)
    {
        var catalog = new DigitsContext(1).MulticlassClassification.Trainers;
        Assert.Throws<ArgumentOutOfRangeException>(() => catalog.SdcaMaximumEntropy(
            new Options { L2Regularization = l2, L1Regularization = l1, MaximumNumberOfIterations = iterations }));
    }

    [Fact]
    public void Options_AreRejected_WhenTheSoftmaxLossIsGivenABiasLearningRate()
    {
        var catalog = new DigitsContext(1).MulticlassClassification.Trainers;
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => catalog.SdcaMaximumEntropy(
            new Options { Loss = MlNetDigits.Engine.Sdca.SdcaLoss.Softmax, BiasLearningRate = 0.1f }));
        Assert.Contains("softmax", error.Message, StringComparison.Ordinal);
    }

    private static MlNetDigits.Trainers.SdcaMaximumEntropyMulticlassTrainer Trainer() =>
        new DigitsContext(1).MulticlassClassification.Trainers.SdcaMaximumEntropy(new Options { NumberOfThreads = 1, Seed = 1 });

    /// <summary>A view whose "Features" getter returns one value too few on one row, unlike its declared type.</summary>
    private sealed class ShortVectorView(InMemoryDataView inner, int badRow) : IDataView
    {
        public DataViewSchema Schema => inner.Schema;

        public bool CanShuffle => false;

        public long? GetRowCount() => inner.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
            new Cursor(inner.GetRowCursor(columnsNeeded), badRow);

        private sealed class Cursor(DataViewRowCursor inner, int badRow) : DataViewRowCursor
        {
            public override DataViewSchema Schema => inner.Schema;

            public override long Position => inner.Position;

            public override bool MoveNext() => inner.MoveNext();

            public override bool IsColumnActive(DataViewSchema.Column column) => inner.IsColumnActive(column);

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                var getter = inner.GetGetter<TValue>(column);
                if (column.Name != "Features")
                    return getter;
                return (ref TValue value) =>
                {
                    getter(ref value);
                    if (Position == badRow && value is VBuffer<float> buffer)
                        value = (TValue)(object)new VBuffer<float>(buffer.Length - 1, buffer.ToArray());
                };
            }
        }
    }
}

using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Evaluation;

namespace MlNetDigits.Tests.Evaluation;

public sealed class MulticlassEvaluationTests
{
    private const int Precision = 6;

    // Seven rows, three classes (counts 3, 2, 2). Arg-max ties go to the lower class (row 6).
    //
    //  row  label  scores (0, 1, 2)    predicted  -ln p(true)            rank of true  top score -> bin (x15)
    //   1     0    0.70  0.20  0.10     0  hit    -ln 0.70 = 0.356675    0             0.70 -> 10
    //   2     0    0.20  0.50  0.30     1         -ln 0.20 = 1.609438    2             0.50 -> 7
    //   3     1    0.10  0.75  0.15     1  hit    -ln 0.75 = 0.287682    0             0.75 -> 11
    //   4     1    0.55  0.30  0.15     0         -ln 0.30 = 1.203973    1             0.55 -> 8
    //   5     2    0.00  0.10  0.90     2  hit    -ln 0.90 = 0.105361    0             0.90 -> 13
    //   6     2    0.50  0.50  0.00     0         -ln 1e-15 = 34.538776  2             0.50 -> 7
    //   7     0    0.90  0.05  0.05     0  hit    -ln 0.90 = 0.105361    0             0.90 -> 13
    //
    // Confusion (rows actual, columns predicted):  [2 1 0] [1 1 0] [1 0 1]
    private static readonly uint[] Labels = [0, 0, 1, 1, 2, 2, 0];

    private static readonly float[][] Scores =
    [
        [0.70f, 0.20f, 0.10f],
        [0.20f, 0.50f, 0.30f],
        [0.10f, 0.75f, 0.15f],
        [0.55f, 0.30f, 0.15f],
        [0.00f, 0.10f, 0.90f],
        [0.50f, 0.50f, 0.00f],
        [0.90f, 0.05f, 0.05f],
    ];

    private static readonly DigitsContext Context = new(seed: 1);

    private static MulticlassClassificationMetrics EvaluateTable(int topK = 0) =>
        Context.MulticlassClassification.Evaluate(ScoredData.WithUInt32Labels(Labels, Scores), topKPredictionCount: topK);

    [Fact]
    public void Evaluate_ConfusionMatrixCountsActualRowsAgainstPredictedColumns()
    {
        var cm = EvaluateTable().ConfusionMatrix;

        Assert.Equal(3, cm.NumberOfClasses);
        Assert.Equal(new double[] { 2, 1, 0 }, cm.Counts[0]);
        Assert.Equal(new double[] { 1, 1, 0 }, cm.Counts[1]);
        Assert.Equal(new double[] { 1, 0, 1 }, cm.Counts[2]);
        Assert.Equal(1, cm.GetCountForClassPair(predictedClassIndex: 1, actualClassIndex: 0));
        Assert.Equal(0, cm.GetCountForClassPair(predictedClassIndex: 0, actualClassIndex: 0) - 2);
    }

    [Fact]
    public void Evaluate_MicroAndMacroAccuracy_MatchHandComputedValues()
    {
        var m = EvaluateTable();

        // Micro: 4 hits of 7 rows. Macro: recalls 2/3, 1/2, 1/2 -> (2/3 + 1/2 + 1/2) / 3 = 5/9.
        Assert.Equal(4.0 / 7, m.MicroAccuracy, Precision);
        Assert.Equal(5.0 / 9, m.MacroAccuracy, Precision);
        Assert.Equal(7, m.RowCount);
        Assert.Equal(0, m.SkippedRowCount);
    }

    [Fact]
    public void Evaluate_PrecisionRecallAndF1_MatchHandComputedValues()
    {
        var cm = EvaluateTable().ConfusionMatrix;

        // Column sums 4, 2, 1 -> precision 2/4, 1/2, 1/1. Row sums 3, 2, 2 -> recall 2/3, 1/2, 1/2.
        // F1 = 2PR/(P+R): class 0: 2*(1/2)(2/3)/(7/6) = 4/7; class 1: 1/2; class 2: 2*(1)(1/2)/(3/2) = 2/3.
        Assert.Equal([0.5, 0.5, 1.0], cm.PerClassPrecision.Select(v => Math.Round(v, Precision)));
        Assert.Equal([Math.Round(2.0 / 3, Precision), 0.5, 0.5], cm.PerClassRecall.Select(v => Math.Round(v, Precision)));
        Assert.Equal(4.0 / 7, cm.PerClassF1[0], Precision);
        Assert.Equal(0.5, cm.PerClassF1[1], Precision);
        Assert.Equal(2.0 / 3, cm.PerClassF1[2], Precision);
    }

    [Fact]
    public void Evaluate_LogLossAndPerClassLogLoss_MatchHandComputedValues()
    {
        var m = EvaluateTable();

        // Sum of -ln p = 0.356675 + 1.609438 + 0.287682 + 1.203973 + 0.105361 + 34.538776 + 0.105361 = 38.207265; / 7 = 5.458181.
        Assert.Equal(5.458181, m.LogLoss, 5);
        // Class 0: (0.356675 + 1.609438 + 0.105361) / 3; class 1: (0.287682 + 1.203973) / 2; class 2: (0.105361 + 34.538776) / 2.
        Assert.Equal(0.690491, m.PerClassLogLoss[0], 5);
        Assert.Equal(0.745827, m.PerClassLogLoss[1], 5);
        Assert.Equal(17.322068, m.PerClassLogLoss[2], 5);
    }

    [Fact]
    public void Evaluate_LogLossReduction_IsRelativeToTheTestSetsClassEntropy()
    {
        var m = EvaluateTable();

        // H = -(3/7 ln 3/7 + 2 * 2/7 ln 2/7) = 0.363128 + 0.715865 = 1.078992; (H - 5.458181) / H = -4.058591.
        Assert.Equal(-4.058591, m.LogLossReduction, 5);
    }

    [Fact]
    public void Evaluate_LogLossReduction_OfAConfidentModelOnBalancedClasses()
    {
        // Two balanced classes: H = ln 2 = 0.693147. Every row gives its true class 0.8: LogLoss = -ln 0.8 = 0.223144.
        // Reduction = (0.693147 - 0.223144) / 0.693147 = 0.678072.
        var data = ScoredData.WithUInt32Labels([0, 1, 0, 1], [[0.8f, 0.2f], [0.2f, 0.8f], [0.8f, 0.2f], [0.2f, 0.8f]]);
        var m = Context.MulticlassClassification.Evaluate(data);

        Assert.Equal(0.223144, m.LogLoss, 5);
        Assert.Equal(0.678072, m.LogLossReduction, 5);
        Assert.Equal(1.0, m.MicroAccuracy);
    }

    [Fact]
    public void Evaluate_LogLoss_ClampsTheTrueClassProbabilityToBetween1e15And1()
    {
        // A zero probability costs -ln 1e-15 = 34.538776 instead of infinity; a score above 1 costs 0, not a negative loss.
        var data = ScoredData.WithUInt32Labels([0, 1], [[0f, 1f], [0f, 1.5f]]);
        var m = Context.MulticlassClassification.Evaluate(data);

        Assert.Equal(34.538776, m.PerClassLogLoss[0], 5);
        Assert.Equal(0, m.PerClassLogLoss[1]);
        Assert.Equal(34.538776 / 2, m.LogLoss, 5);
        Assert.True(double.IsFinite(m.LogLoss));
    }

    [Fact]
    public void Evaluate_TopKAccuracyForAllK_CountsTheTrueClassRank()
    {
        var m = EvaluateTable(topK: 3);

        // Ranks of the true class: 0, 2, 0, 1, 0, 2, 0 -> top-1 4/7, top-2 5/7, top-3 7/7.
        Assert.Equal(3, m.TopKPredictionCount);
        Assert.Equal(3, m.TopKAccuracyForAllK.Count);
        Assert.Equal(4.0 / 7, m.TopKAccuracyForAllK[0], Precision);
        Assert.Equal(5.0 / 7, m.TopKAccuracyForAllK[1], Precision);
        Assert.Equal(1.0, m.TopKAccuracyForAllK[2], Precision);
        Assert.Equal(1.0, m.TopKAccuracy, Precision);
    }

    [Fact]
    public void Evaluate_TopKAccuracy_IsZeroAndEmptyWhenNotAskedFor()
    {
        var m = EvaluateTable();

        Assert.Equal(0, m.TopKPredictionCount);
        Assert.Empty(m.TopKAccuracyForAllK);
        Assert.Equal(0, m.TopKAccuracy);
    }

    [Fact]
    public void Evaluate_TopTwoAccuracy_MatchesMicroAccuracyPlusSecondPlaceHits()
    {
        var m = EvaluateTable(topK: 2);

        Assert.Equal(m.MicroAccuracy, m.TopKAccuracyForAllK[0], 12);
        Assert.Equal(5.0 / 7, m.TopKAccuracy, Precision);
    }

    [Fact]
    public void Evaluate_ExpectedCalibrationError_MatchesHandComputedBins()
    {
        var m = EvaluateTable();

        // Bins (15 of width 1/15) of the top score, |bin|/n * |accuracy - mean confidence|:
        //  bin 7  {0.50 miss, 0.50 miss}: 2/7 * |0 - 0.50| = 1.00/7
        //  bin 8  {0.55 miss}:            1/7 * |0 - 0.55| = 0.55/7
        //  bin 10 {0.70 hit}:             1/7 * |1 - 0.70| = 0.30/7
        //  bin 11 {0.75 hit}:             1/7 * |1 - 0.75| = 0.25/7
        //  bin 13 {0.90 hit, 0.90 hit}:   2/7 * |1 - 0.90| = 0.20/7
        // ECE = 2.30 / 7 = 0.328571.
        Assert.Equal(2.3 / 7, m.ExpectedCalibrationError, Precision);
    }

    [Fact]
    public void Evaluate_ExpectedCalibrationError_IsZeroForAPerfectlyCalibratedModel()
    {
        // Top score 0.75 on four rows, three of them right: accuracy 0.75 equals confidence 0.75.
        var data = ScoredData.WithUInt32Labels([0, 0, 0, 1], [[0.75f, 0.25f], [0.75f, 0.25f], [0.75f, 0.25f], [0.75f, 0.25f]]);

        Assert.Equal(0, Context.MulticlassClassification.Evaluate(data).ExpectedCalibrationError, 6);
    }

    [Fact]
    public void Evaluate_KeyLabels_AreOneBasedAndKeyZeroIsSkipped()
    {
        // Key labels are the UInt32 table's labels + 1, plus one missing label (key 0) that must not count.
        uint[] keys = [.. Labels.Select(l => l + 1), 0];
        float[][] scores = [.. Scores, [1f, 0f, 0f]];
        var m = Context.MulticlassClassification.Evaluate(ScoredData.WithKeyLabels(keys, scores, ["cat", "dog", "eel"]));
        var reference = EvaluateTable();

        Assert.Equal(7, m.RowCount);
        Assert.Equal(1, m.SkippedRowCount);
        Assert.Equal(reference.MicroAccuracy, m.MicroAccuracy, 12);
        Assert.Equal(reference.LogLoss, m.LogLoss, 12);
        Assert.Equal(reference.ConfusionMatrix.Counts.SelectMany(r => r), m.ConfusionMatrix.Counts.SelectMany(r => r));
        Assert.Equal(["cat", "dog", "eel"], m.ConfusionMatrix.ClassNames);
    }

    [Fact]
    public void Evaluate_SkipsNegativeAndMissingLabelsAndNonFiniteScores()
    {
        float[][] scores = [.. Scores, [0.2f, 0.3f, 0.5f], [0.2f, 0.3f, 0.5f], [float.NaN, 0.5f, 0.5f]];
        float[] labels = [.. Labels.Select(l => (float)l), -1f, float.NaN, 0f];
        var data = ScoredData.Build(b => b.AddScalar("Label", NumberDataViewType.Single, labels), scores);
        var m = Context.MulticlassClassification.Evaluate(data);

        Assert.Equal(7, m.RowCount);
        Assert.Equal(3, m.SkippedRowCount);
        Assert.Equal(4.0 / 7, m.MicroAccuracy, Precision);
        Assert.Equal(5.458181, m.LogLoss, 5);
    }

    [Fact]
    public void Evaluate_AClassBeyondTheScoreVector_CountsAsAMissWithTheClampedLoss()
    {
        // Label 2 with only two scores: counted in the rows, charged -ln 1e-15, kept out of the confusion matrix.
        var data = ScoredData.Build(b => b.AddScalar("Label", NumberDataViewType.Int32, new[] { 0, 2 }), [[0.9f, 0.1f], [0.9f, 0.1f]]);
        var m = Context.MulticlassClassification.Evaluate(data);

        Assert.Equal(2, m.RowCount);
        Assert.Equal(0.5, m.MicroAccuracy);
        Assert.Equal((-Math.Log(0.9f) + 34.538776) / 2, m.LogLoss, 5);
        Assert.Equal(1, m.ConfusionMatrix.Counts.SelectMany(r => r).Sum());
    }

    [Fact]
    public void Evaluate_ClassNames_ComeFromTheScoreSlotNames()
    {
        var data = ScoredData.WithUInt32Labels(Labels, Scores, ["zero", "one", "two"]);
        var m = Context.MulticlassClassification.Evaluate(data);

        Assert.Equal(["zero", "one", "two"], m.ConfusionMatrix.ClassNames);
    }

    [Fact]
    public void Evaluate_ClassNames_DefaultToClassIndices()
    {
        Assert.Equal(["0", "1", "2"], EvaluateTable().ConfusionMatrix.ClassNames);
    }

    [Theory]
    [InlineData("Label")]
    [InlineData("Score")]
    [InlineData("PredictedLabel")]
    public void Evaluate_ThrowsSchemaExceptionNamingAMissingColumn(string missing)
    {
        var data = ScoredData.WithUInt32Labels(Labels, Scores);
        var args = new Dictionary<string, string> { ["Label"] = "Label", ["Score"] = "Score", ["PredictedLabel"] = "PredictedLabel" };
        args[missing] = "Nope";

        var e = Assert.Throws<SchemaException>(() =>
            Context.MulticlassClassification.Evaluate(data, args["Label"], args["Score"], args["PredictedLabel"]));
        Assert.Equal("Nope", e.ColumnName);
        Assert.Contains("'Nope' not found", e.Message);
    }

    [Fact]
    public void Evaluate_ThrowsSchemaExceptionGivenAScoreThatIsNotAFloatVector()
    {
        var data = new InMemoryDataView.Builder()
            .AddScalar("Label", NumberDataViewType.UInt32, new uint[] { 0 })
            .AddScalar("Score", NumberDataViewType.Single, new[] { 0.5f })
            .AddScalar("PredictedLabel", NumberDataViewType.UInt32, new uint[] { 0 })
            .Build();

        var e = Assert.Throws<SchemaException>(() => Context.MulticlassClassification.Evaluate(data));
        Assert.Equal("Score", e.ColumnName);
        Assert.Equal("Single", e.Found);
    }

    [Fact]
    public void Evaluate_ThrowsSchemaExceptionGivenATextLabel()
    {
        var data = ScoredData.Build(b => b.AddScalar("Label", TextDataViewType.Instance, new[] { "a" }), [[1f, 0f]]);

        var e = Assert.Throws<SchemaException>(() => Context.MulticlassClassification.Evaluate(data));
        Assert.Equal("Label", e.ColumnName);
        Assert.Equal("String", e.Found);
    }

    [Fact]
    public void Evaluate_GivesZerosForAnEmptyTestSet()
    {
        var view = new InMemoryDataView.Builder()
            .AddScalar("Label", NumberDataViewType.UInt32, Array.Empty<uint>())
            .AddVector("Score", new VectorDataViewType(NumberDataViewType.Single, 2), Array.Empty<float>())
            .AddScalar("PredictedLabel", NumberDataViewType.UInt32, Array.Empty<uint>())
            .Build();

        var m = Context.MulticlassClassification.Evaluate(view, topKPredictionCount: 2);

        Assert.Equal(0, m.RowCount);
        Assert.Equal(0, m.MicroAccuracy);
        Assert.Equal(0, m.MacroAccuracy);
        Assert.Equal(0, m.LogLoss);
        Assert.Equal(0, m.ExpectedCalibrationError);
        Assert.Equal([0.0, 0.0], m.TopKAccuracyForAllK);
    }

    [Fact]
    public void GetFormattedConfusionTable_ShowsCountsRecallAndPrecision()
    {
        var data = ScoredData.WithUInt32Labels(Labels, Scores, ["zero", "one", "two"]);
        var table = Context.MulticlassClassification.Evaluate(data).ConfusionMatrix.GetFormattedConfusionTable();
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

        Assert.Equal("Confusion table", lines[0]);
        Assert.Contains("PREDICTED", lines[2]);
        Assert.Matches(@"zero \|\|\s+2 \|\s+1 \|\s+0 \| 0\.6667$", lines[4]);
        Assert.Matches(@"one \|\|\s+1 \|\s+1 \|\s+0 \| 0\.5000$", lines[5]);
        Assert.Matches(@"two \|\|\s+1 \|\s+0 \|\s+1 \| 0\.5000$", lines[6]);
        Assert.Matches(@"^Precision \|\|\s+0\.5000 \|\s+0\.5000 \|\s+1\.0000 \|$", lines[8]);
    }

    [Fact]
    public void ToString_SummarisesTheMetricsAndIncludesTheTable()
    {
        var text = EvaluateTable(topK: 2).ToString();

        Assert.Contains("MicroAccuracy", text);
        Assert.Contains("0.5714", text);
        Assert.Contains("LogLossReduction", text);
        Assert.Contains("-4.0586", text);
        Assert.Contains("Top-2 accuracy", text);
        Assert.Contains("ExpectedCalibrationError", text);
        Assert.Contains("Confusion table", text);
    }

    [Fact]
    public void Evaluate_ReadsTheDataInOnePassOverOneCursor()
    {
        var counting = new CursorCountingDataView(ScoredData.WithUInt32Labels(Labels, Scores));

        Context.MulticlassClassification.Evaluate(counting, topKPredictionCount: 2);

        Assert.Equal(1, counting.CursorsOpened);
    }

    private sealed class CursorCountingDataView(IDataView inner) : IDataView
    {
        public int CursorsOpened { get; private set; }

        public DataViewSchema Schema => inner.Schema;

        public bool CanShuffle => inner.CanShuffle;

        public long? GetRowCount() => inner.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            CursorsOpened++;
            return inner.GetRowCursor(columnsNeeded, rand);
        }
    }
}

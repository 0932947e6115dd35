using MlNetDigits.Engine;
using MlNetDigits.Engine.Layers;
using MlNetDigits.Engine.Ood;
using MlNetDigits.Engine.Onnx;
using static MlNetDigits.Tests.ImageClassificationTestData;

namespace MlNetDigits.Tests;

/// <summary>The CNN's out-of-distribution score: its threshold, its column, and that every runtime computes the same.</summary>
public sealed class OodScoreTests
{
    private static readonly Lazy<ImageClassificationTransformer> Model = new(() => Train(seed: 7));

    private static ImageClassificationTransformer Train(int seed, double rate = 0.05, int validation = 100)
    {
        var options = TinyOptions(epochs: 2);
        options.Seed = seed;
        options.OodFalsePositiveRate = rate;
        options.ValidationSet = Validation(validation);
        return Trainer(options).Fit(Keyed(300));
    }

    /// <summary>Validation images from the test half of the sample (never trained on).</summary>
    private static IDataView Validation(int count) => Keyed(count, test: true);

    /// <summary>The OodScore column (one value per row).</summary>
    private static float[] OodScores(IDataView scored)
    {
        var column = scored.Schema["OodScore"];
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 1), column.Type);
        var values = new List<float>();
        using var cursor = scored.GetRowCursor([column]);
        var get = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> value = default;
        while (cursor.MoveNext())
        {
            get(ref value);
            values.Add(value.GetItemOrDefault(0));
        }
        return [.. values];
    }

    /// <summary>
    /// The reference, in double: max(a_E E + b_E, a_D D + b_D) − τ per image with E = −log Σ_k exp(z_k) and
    /// D = min_c (f − μ_c)ᵀ Σ⁻¹ (f − μ_c) written out with the stored whitening (Σ⁻¹ = WᵀW), on logits and features the
    /// engine computes with the network rebuilt from the model's weights; with the size of D, for the tolerance.
    /// </summary>
    private static (double Score, double Size)[] ReferenceScores(ImageClassificationTransformer model, IReadOnlyList<Row> rows)
    {
        var info = model.Info;
        var network = NetworkSpec.Parse(info.Layers, 1, 28, 28).Build(new Rng(0));
        network.LoadStateDict(model.GetWeights());
        network.Eval();
        var x = new Tensor(rows.Count, 1, 28, 28);
        for (int i = 0; i < rows.Count; i++)
            for (int p = 0; p < 784; p++)
                x.Data[i * 784 + p] = (rows[i].Image[p] / info.PixelScale - info.Mean[0]) / info.StandardDeviation[0];
        var head = OodScoreHead.FromInitializers(OnnxInitializers.Read(model.GetOnnxModel()))!;
        var m = head.Mahalanobis;
        int f = m.FeatureCount;
        var features = new float[rows.Count * f];
        var logits = PenultimateFeatures.Forward(network, x, features).Data;
        var scores = new (double, double)[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            var v = features.AsSpan(i * f, f).ToArray();
            var g = Enumerable.Range(0, f).Select(a => Enumerable.Range(0, a + 1).Sum(b => (double)m.Whitening[a * f + b] * v[b])).ToArray();
            double distance = Enumerable.Range(0, m.ClassCount).Min(c => Enumerable.Range(0, f).Sum(a => Math.Pow(g[a] - m.WhitenedMeans[c * f + a], 2)));
            double energy = -Math.Log(Enumerable.Range(0, 10).Sum(k => Math.Exp(logits[i * 10 + k])));
            double units = Math.Max(head.EnergyScale * energy + head.EnergyShift, head.DistanceScale * distance + head.DistanceShift);
            scores[i] = (units - head.Threshold, Math.Abs(head.DistanceScale) * distance + Math.Abs(head.EnergyScale * energy));
        }
        return scores;
    }

    [Fact]
    public void Threshold_FlagsTheTargetShareOfTheValidationImages()
    {
        var model = Model.Value;

        var flagged = OodScores(model.Transform(Validation(100))).Count(s => s > 0);

        var ood = model.Info.Ood!;
        Assert.Equal(OodCalibration.EnergyOrMahalanobisMethod, ood.Method);
        Assert.Equal(300, ood.TrainingCount);
        Assert.Equal(576, ood.FeatureCount);      // the tiny net's 4 x 12 x 12 flattened maps
        Assert.Equal(100, ood.ValidationCount);
        Assert.Equal(0.05, ood.TargetRate);
        Assert.Equal(5, flagged);                 // ⌊0.05 · 100⌋, no ties among 100 distances
        Assert.Equal(0.05, ood.ValidationFlaggedShare);
    }

    [Theory]
    [InlineData(0.01, 200, 2)]
    [InlineData(0.05, 200, 10)]
    [InlineData(0.001, 200, 0)]
    [InlineData(0.5, 3, 1)]
    public void ChooseThreshold_PutsItBetweenTheLastKeptAndTheFirstFlaggedScore(double rate, int count, int expectedFlagged)
    {
        // Distinct scores in a shuffled order.
        var scores = Enumerable.Range(0, count).Select(i => (float)(i * 7 % count) * 0.25f).ToArray();
        var sorted = scores.Order().ToArray();

        var (threshold, share) = OodCalibration.ChooseThreshold(scores, rate);

        Assert.Equal(expectedFlagged, scores.Count(s => s > threshold));
        Assert.Equal((double)expectedFlagged / count, share);
        int kept = count - expectedFlagged;
        Assert.Equal(expectedFlagged == 0 ? sorted[^1] : (sorted[kept - 1] + sorted[kept]) / 2.0, threshold, 12);
    }

    [Fact]
    public void OodScore_FromOnnxRuntimeAndFromTheEngine_EqualsTheReference()
    {
        var model = Model.Value;
        var rows = Rows(60, test: true);

        var onnx = OodScores(model.Transform(Keyed(60, test: true))); // the same rows
        using var scorer = CnnEngineScorer.FromOnnx(model.GetOnnxModel());
        var engine = new float[rows.Count];
        scorer.ScoreBatch(rows.SelectMany(r => r.Image).ToArray(), new float[rows.Count * 10], engine);

        var reference = ReferenceScores(model, rows);
        for (int i = 0; i < rows.Count; i++)
        {
            // D is a float sum of F = 576 squares: 1e-4, or 1e-5 of the terms' size when larger.
            double tolerance = Math.Max(1e-4, 1e-5 * reference[i].Size);
            Assert.Equal(reference[i].Score, onnx[i], tolerance);
            Assert.Equal(reference[i].Score, engine[i], tolerance);
        }
        Assert.Contains(onnx, s => s > 0); // the images span both sides of the threshold
        Assert.Contains(onnx, s => s < 0);
    }

    [Fact]
    public void SaveAndLoad_KeepTheOodScoreAndItsThreshold()
    {
        var ml = new MLContext(1);
        var model = Model.Value;
        var test = Keyed(40, test: true);
        var path = Path.Combine(Path.GetTempPath(), $"mlnd-ood-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, test.Schema, path);
            var loaded = ml.Model.Load(path, out _);

            Assert.Equal(OodScores(model.Transform(test)), OodScores(loaded.Transform(test)));
            Assert.Equal(model.Info.Ood, CnnModelInfo.ReadFromModelFile(path).Ood);
            Assert.Equal(model.Info.Ood, ImageClassificationTransformer.Load(ml, path).Info.Ood);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void OodTrainingImages_CapsTheImagesTheScoreIsFittedOn()
    {
        var options = TinyOptions(epochs: 1);
        options.Seed = 7;
        options.OodFalsePositiveRate = 0.05;
        options.OodTrainingImages = 120;
        options.ValidationSet = Validation(100);

        var capped = Trainer(options).Fit(Keyed(300)).Info.Ood!;

        Assert.Equal(120, capped.TrainingCount);
        Assert.Equal(100, capped.ValidationCount);
        Assert.NotEqual(Model.Value.Info.Ood!.DistanceMedian, capped.DistanceMedian);
    }

    [Theory]
    [InlineData(10, 3, new[] { 0, 3, 6 })]
    [InlineData(4, 0, new[] { 0, 1, 2, 3 })]
    [InlineData(4, 9, new[] { 0, 1, 2, 3 })]
    public void EvenlySpaced_TakesRowsAtEvenStepsOrAll(int rowCount, int count, int[] expectedPositions)
    {
        var rows = Enumerable.Range(0, rowCount).Select(i => 100 + i).ToArray();

        Assert.Equal(expectedPositions.Select(p => 100 + p), TrainingLoop.EvenlySpaced(rows, count));
    }

    [Fact]
    public void OodTrainingImages_RejectsANegativeCount()
    {
        var options = TinyOptions();
        options.OodTrainingImages = -1;

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer(options).Fit(Keyed(20)));
        Assert.Contains("OodTrainingImages", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0, 0.2)]   // the score turned off
    [InlineData(0.01, 0.0)]  // no validation images to choose the threshold on
    public void Training_WithoutARateOrValidationImages_GivesNoOodScore(double rate, double validationFraction)
    {
        var options = TinyOptions(epochs: 1);
        options.OodFalsePositiveRate = rate;
        options.ValidationSetFraction = validationFraction;
        var messages = new List<string>();
        options.MetricsCallback = p => messages.Add(p.Message ?? "");

        var model = Trainer(options).Fit(Keyed(200));

        Assert.Null(model.Info.Ood);
        Assert.False(model.Info.HasOodScore);
        Assert.Null(model.Transform(Keyed(10, test: true)).Schema.GetColumnOrNull("OodScore"));
        using var scorer = CnnEngineScorer.FromOnnx(model.GetOnnxModel());
        Assert.Throws<InvalidOperationException>(() => scorer.ScoreBatch(new float[784], new float[10], new float[1]));
        Assert.Equal(rate > 0, messages.Any(m => m.Contains("no out-of-distribution score", StringComparison.Ordinal)));
    }

    [Fact]
    public void WithOodScore_GivesAModelWithoutOneTheScoreTrainingWouldHaveGiven()
    {
        var options = TinyOptions(epochs: 2);
        options.Seed = 7;
        options.OodFalsePositiveRate = 0;
        options.ValidationSet = Validation(100);
        var without = Trainer(options).Fit(Keyed(300)); // the same run as Model's, without the score

        var with = without.WithOodScore(Keyed(300), Validation(100), 0.05);

        var trained = Model.Value.Info.Ood!;
        var added = with.Info.Ood!;
        // The same numbers, up to the float rounding of features computed on another thread count.
        static double[] Numbers(OodCalibration c) => [c.EnergyMedian, c.EnergyTail, c.DistanceMedian, c.DistanceTail, c.Threshold];
        Assert.All(Numbers(trained).Zip(Numbers(added)), p => Assert.Equal(p.First, p.Second, Math.Max(1e-4, Math.Abs(p.First) * 1e-4)));
        Assert.Equal((trained.TrainingCount, trained.ValidationCount, trained.ValidationFlaggedShare), (added.TrainingCount, added.ValidationCount, added.ValidationFlaggedShare));
        var test = Keyed(40, test: true);
        Assert.Equal(Scores(without.Transform(test)), Scores(with.Transform(test)));
        var expected = OodScores(Model.Value.Transform(test));
        var actual = OodScores(with.Transform(test));
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], actual[i], Math.Max(1e-3, Math.Abs(expected[i]) * 1e-4));
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Options_RefuseAnOodRateOutsideZeroToOne(double rate)
    {
        var options = TinyOptions();
        options.OodFalsePositiveRate = rate;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer(options));
        Assert.Contains("OodFalsePositiveRate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ensemble_OodScoreIsTheMeanOfTheMembersScores_InOnnxRuntimeAndTheEngine()
    {
        var members = new[] { Model.Value, Train(seed: 8, rate: 0.02) };
        var test = Keyed(30, test: true);
        var each = members.Select(m => OodScores(m.Transform(test))).ToArray();

        var ensemble = ImageClassificationEnsemble.Create(members);

        Assert.True(ensemble.Info.HasOodScore);
        var scores = OodScores(ensemble.Transform(test));
        using var scorer = CnnEngineScorer.FromOnnx(ensemble.GetOnnxModel());
        var engine = new float[30];
        scorer.ScoreBatch(Rows(30, test: true).SelectMany(r => r.Image).ToArray(), new float[300], engine);
        for (int i = 0; i < scores.Length; i++)
        {
            double tolerance = 1e-4 * Math.Max(1, Math.Abs(scores[i]));
            Assert.Equal((each[0][i] + each[1][i]) / 2, scores[i], tolerance);
            Assert.Equal(scores[i], engine[i], tolerance);
        }
    }

    [Fact]
    public void Ensemble_WithAMemberWithoutTheScore_HasNone()
    {
        var options = TinyOptions(epochs: 1);
        options.OodFalsePositiveRate = 0;
        var without = Trainer(options).Fit(Keyed(200));

        var ensemble = ImageClassificationEnsemble.Create([Model.Value, without]);

        Assert.False(ensemble.Info.HasOodScore);
        Assert.Null(ensemble.Transform(Keyed(10, test: true)).Schema.GetColumnOrNull("OodScore"));
    }
}

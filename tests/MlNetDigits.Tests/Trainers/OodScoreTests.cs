using MlNetDigits.Engine;
using MlNetDigits.Engine.Layers;
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

    /// <summary>−log Σ_k exp(z_k) − τ per image, from logits the engine computes on the network rebuilt from the model's weights.</summary>
    private static double[] ReferenceScores(ImageClassificationTransformer model, IReadOnlyList<Row> rows)
    {
        var info = model.Info;
        var network = NetworkSpec.Parse(info.Layers, 1, 28, 28).Build(new Rng(0));
        network.LoadStateDict(model.GetWeights());
        network.Eval();
        var x = new Tensor(rows.Count, 1, 28, 28);
        for (int i = 0; i < rows.Count; i++)
            for (int p = 0; p < 784; p++)
                x.Data[i * 784 + p] = (rows[i].Image[p] / info.PixelScale - info.Mean[0]) / info.StandardDeviation[0];
        var logits = network.Forward(x).Data;
        var scores = new double[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            double sum = 0;
            for (int k = 0; k < 10; k++)
                sum += Math.Exp(logits[i * 10 + k]);
            scores[i] = -Math.Log(sum) - info.Ood!.Threshold;
        }
        return scores;
    }

    [Fact]
    public void Threshold_FlagsTheTargetShareOfTheValidationImages()
    {
        var model = Model.Value;

        var flagged = OodScores(model.Transform(Validation(100))).Count(s => s > 0);

        var ood = model.Info.Ood!;
        Assert.Equal(OodCalibration.EnergyMethod, ood.Method);
        Assert.Equal(100, ood.ValidationCount);
        Assert.Equal(0.05, ood.TargetRate);
        Assert.Equal(5, flagged);                 // ⌊0.05 · 100⌋, no ties among 100 energies
        Assert.Equal(0.05, ood.ValidationFlaggedShare);
    }

    [Theory]
    [InlineData(0.01, 200, 2)]
    [InlineData(0.05, 200, 10)]
    [InlineData(0.001, 200, 0)]
    [InlineData(0.5, 3, 1)]
    public void Fit_PutsTheThresholdBetweenTheLastKeptAndTheFirstFlaggedEnergy(double rate, int count, int expectedFlagged)
    {
        // Row i has logits (i, 0): energies −log(e^i + 1) are distinct and fall as i grows.
        var logits = new float[count * 2];
        for (int i = 0; i < count; i++)
            logits[i * 2] = i * 0.1f;
        var energies = Enumerable.Range(0, count).Select(i => OodCalibration.Energy(logits.AsSpan(i * 2, 2))).Order().ToArray();

        var ood = OodCalibration.Fit(logits, 2, rate);

        Assert.Equal(expectedFlagged, energies.Count(e => e > ood.Threshold));
        Assert.Equal((double)expectedFlagged / count, ood.ValidationFlaggedShare);
        int kept = count - expectedFlagged;
        double expected = expectedFlagged == 0 ? energies[^1] : (energies[kept - 1] + energies[kept]) / 2;
        Assert.Equal(expected, ood.Threshold, 12);
    }

    [Fact]
    public void OodScore_FromOnnxRuntimeAndFromTheEngine_EqualsTheReferenceEnergy()
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
            Assert.Equal(reference[i], onnx[i], 1e-4);
            Assert.Equal(reference[i], engine[i], 1e-4);
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
            Assert.Equal((each[0][i] + each[1][i]) / 2, scores[i], 1e-4);
            Assert.Equal(scores[i], engine[i], 1e-4);
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

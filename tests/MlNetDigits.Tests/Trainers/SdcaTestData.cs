using MlNetDigits.Core;
using MlNetDigits.Data;

namespace MlNetDigits.Tests.Trainers;

/// <summary>Seeded synthetic data for the SDCA tests: Gaussian blobs, one per class, in a "Features" vector.</summary>
public static class SdcaTestData
{
    /// <summary>
    /// <paramref name="rows"/> rows of <paramref name="classes"/> overlapping Gaussian blobs in <paramref name="features"/>
    /// dimensions (centres <paramref name="separation"/> apart on average, unit noise). The "Label" is UInt32 (class = value),
    /// or a key (1..K) with KeyValues "a", "b", ... when <paramref name="keyLabel"/> is true.
    /// </summary>
    public static InMemoryDataView Blobs(int rows, int features, int classes, int seed, double separation = 2.0, bool keyLabel = false)
    {
        var (x, y) = BlobArrays(rows, features, classes, seed, separation);
        var builder = new InMemoryDataView.Builder();
        if (keyLabel)
        {
            var names = Enumerable.Range(0, classes).Select(c => ((char)('a' + c)).ToString()).ToArray();
            var keyValues = DataViewSchema.Annotations.Empty.With(AnnotationKinds.KeyValues,
                new VectorDataViewType(TextDataViewType.Instance, classes), new VBuffer<string>(classes, names));
            builder.AddScalar("Label", new KeyDataViewType((ulong)classes), [.. y.Select(c => (uint)c + 1)], keyValues);
        }
        else
        {
            builder.AddScalar("Label", NumberDataViewType.UInt32, [.. y.Select(c => (uint)c)]);
        }
        return builder.AddVector("Features", new VectorDataViewType(NumberDataViewType.Single, features), x).Build();
    }

    /// <summary>The blobs as arrays: x (rows, features) and y (rows).</summary>
    public static (float[] X, int[] Y) BlobArrays(int rows, int features, int classes, int seed, double separation = 2.0)
    {
        var random = new Random(seed);
        var centres = new double[classes * features];
        for (int i = 0; i < centres.Length; i++)
            centres[i] = Normal(random) * separation / Math.Sqrt(2);
        var x = new float[rows * features];
        var y = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            y[i] = i % classes;
            for (int j = 0; j < features; j++)
                x[i * features + j] = (float)(centres[y[i] * features + j] + Normal(random));
        }
        return (x, y);
    }

    /// <summary>Trains with <paramref name="options"/> (Seed 1 and one thread unless set) and collects every progress report.</summary>
    public static (MlNetDigits.Trainers.MaximumEntropyPredictionTransformer Model, List<TrainingProgress> Reports) Train(IDataView data, MlNetDigits.Trainers.SdcaMaximumEntropyMulticlassTrainer.Options options,
        CancellationToken cancellationToken = default)
    {
        var context = new DigitsContext(seed: 1);
        var reports = new List<TrainingProgress>();
        context.TrainingProgress += (_, r) => reports.Add(r);
        var trainer = MlNetDigits.Trainers.SdcaMaximumEntropyCatalog.SdcaMaximumEntropy(context.MulticlassClassification.Trainers, options);
        var model = trainer.Fit(data, null, cancellationToken);
        return (model, reports);
    }

    /// <summary>The "Score" vectors of <paramref name="data"/> scored by <paramref name="model"/>, row by row.</summary>
    public static List<float[]> Scores(ITransformer model, IDataView data)
    {
        var scored = model.Transform(data);
        var column = scored.Schema["Score"];
        using var cursor = scored.GetRowCursor([column]);
        var get = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> value = default;
        var result = new List<float[]>();
        while (cursor.MoveNext())
        {
            get(ref value);
            result.Add(value.ToArray());
        }
        return result;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

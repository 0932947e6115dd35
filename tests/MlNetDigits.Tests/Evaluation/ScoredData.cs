using MlNetDigits.Data;

namespace MlNetDigits.Tests.Evaluation;

/// <summary>Builds small scored data views (Label, Score, PredictedLabel) for evaluation tests.</summary>
internal static class ScoredData
{
    /// <summary>UInt32 labels (class = value), Score rows, PredictedLabel = arg-max; Score carries <paramref name="slotNames"/> when given.</summary>
    public static InMemoryDataView WithUInt32Labels(uint[] labels, float[][] scores, string[]? slotNames = null) =>
        Build(b => b.AddScalar("Label", NumberDataViewType.UInt32, labels), scores, slotNames, predicted => [.. predicted.Select(p => (uint)p)]);

    /// <summary>Key labels (1..K, 0 = missing) with KeyValues <paramref name="keyValues"/> when given.</summary>
    public static InMemoryDataView WithKeyLabels(uint[] labels, float[][] scores, string[]? keyValues = null)
    {
        var k = scores[0].Length;
        var keyType = new KeyDataViewType((ulong)k);
        var annotations = keyValues is null ? null : DataViewSchema.Annotations.Empty.With(AnnotationKinds.KeyValues,
            new VectorDataViewType(TextDataViewType.Instance, keyValues.Length), new VBuffer<string>(keyValues.Length, keyValues));
        var builder = new InMemoryDataView.Builder()
            .AddScalar("Label", keyType, labels, annotations);
        return AddScores(builder, scores, null)
            .AddScalar("PredictedLabel", keyType, [.. scores.Select(s => (uint)ArgMax(s) + 1)], annotations)
            .Build();
    }

    /// <summary>Labels of any scalar type, built by <paramref name="addLabel"/>; PredictedLabel is Int32.</summary>
    public static InMemoryDataView Build(Func<InMemoryDataView.Builder, InMemoryDataView.Builder> addLabel, float[][] scores,
        string[]? slotNames = null, Func<int[], uint[]>? predictedAsUInt = null)
    {
        var builder = AddScores(addLabel(new InMemoryDataView.Builder()), scores, slotNames);
        var predicted = scores.Select(ArgMax).ToArray();
        return predictedAsUInt is null
            ? builder.AddScalar("PredictedLabel", NumberDataViewType.Int32, predicted).Build()
            : builder.AddScalar("PredictedLabel", NumberDataViewType.UInt32, predictedAsUInt(predicted)).Build();
    }

    private static InMemoryDataView.Builder AddScores(InMemoryDataView.Builder builder, float[][] scores, string[]? slotNames)
    {
        var k = scores[0].Length;
        var type = new VectorDataViewType(NumberDataViewType.Single, k);
        var annotations = slotNames is null ? null : DataViewSchema.Annotations.Empty.With(AnnotationKinds.SlotNames,
            new VectorDataViewType(TextDataViewType.Instance, k), new VBuffer<string>(k, slotNames));
        return builder.AddVector("Score", type, [.. scores.SelectMany(s => s)], annotations);
    }

    private static int ArgMax(float[] s)
    {
        int best = 0;
        for (int i = 1; i < s.Length; i++)
            if (s[i] > s[best])
                best = i;
        return best;
    }
}

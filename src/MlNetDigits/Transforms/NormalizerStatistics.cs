using MlNetDigits.Data;

namespace MlNetDigits.Transforms;

/// <summary>
/// One pass over a Single column (scalar or vector) gathering what the normalisers learn, slot by slot: min and max (NaN
/// ignored), and mean and population variance by Welford's method in double over the finite values, as ML.NET's
/// MinMax and MeanVar aggregators do. Min-max normalisers gather only the extremes.
/// </summary>
internal sealed class NormalizerStatistics
{
    private readonly bool _withMoments;

    private NormalizerStatistics(int slots, bool withMoments)
    {
        _withMoments = withMoments;
        Min = new float[slots];
        Max = new float[slots];
        Mean = new double[slots];
        M2 = new double[slots];
        Count = new long[slots];
        Array.Fill(Min, float.PositiveInfinity);
        Array.Fill(Max, float.NegativeInfinity);
    }

    public float[] Min { get; }    // (Slots)
    public float[] Max { get; }    // (Slots)
    public double[] Mean { get; }  // (Slots), finite values only
    public double[] M2 { get; }    // (Slots), sum of squared deviations from the mean
    public long[] Count { get; }   // (Slots), finite values seen

    /// <summary>The population variance M2 / n of slot <paramref name="i"/> (0 when it saw no values).</summary>
    public double Variance(int i) => Count[i] == 0 ? 0 : M2[i] / Count[i];

    /// <summary>
    /// Reads up to <paramref name="maximumExampleCount"/> rows of <paramref name="column"/>; mean and variance only when
    /// <paramref name="withMoments"/>.
    /// </summary>
    public static NormalizerStatistics Gather(IDataView data, DataViewSchema.Column column, long maximumExampleCount, bool withMoments)
    {
        var slots = column.Type is VectorDataViewType v ? v.Size : 1;
        var stats = new NormalizerStatistics(slots, withMoments);
        using var cursor = data.GetRowCursor([column]);
        long rows = 0;
        if (column.Type is VectorDataViewType)
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> buffer = default;
            while (rows < maximumExampleCount && cursor.MoveNext())
            {
                getter(ref buffer);
                stats.Add(buffer.GetValues());
                rows++;
            }
        }
        else
        {
            var getter = cursor.GetGetter<float>(column);
            var value = new float[1];
            while (rows < maximumExampleCount && cursor.MoveNext())
            {
                getter(ref value[0]);
                stats.Add(value);
                rows++;
            }
        }
        return stats;
    }

    private void Add(ReadOnlySpan<float> x)
    {
        for (int i = 0; i < x.Length; i++)
        {
            var v = x[i];
            // Comparisons with NaN are false, so NaN never becomes a min or max.
            if (v < Min[i])
                Min[i] = v;
            if (v > Max[i])
                Max[i] = v;
            if (!_withMoments || !float.IsFinite(v))
                continue;
            Count[i]++;
            var delta = v - Mean[i];
            Mean[i] += delta / Count[i];
            M2[i] += delta * (v - Mean[i]);
        }
    }
}

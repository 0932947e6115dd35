using MlNetDigits.Core;
using MlNetDigits.Data;

namespace MlNetDigits.Transforms;

/// <summary><c>NormalizeMeanVariance</c> on <see cref="TransformsCatalog"/>.</summary>
public static class MeanVarianceNormalizingCatalog
{
    /// <summary>
    /// Normalises each slot of a Single column by the mean and population variance (divisor n) of its finite values, with
    /// ML.NET's formulas: without fixZero <c>y = (x - mean) / stddev</c>; with fixZero (the default)
    /// <c>y = x / sqrt(variance + mean^2)</c>, i.e. x divided by the root mean square, which keeps zero at zero;
    /// with useCdf <c>y = NormalCdf((x - mean) / stddev)</c>. A constant slot gets scale 0 (finite values become 0).
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The normalised column to add (Single, same shape as the input).</param>
    /// <param name="inputColumnName">The Single column (scalar or vector) to read; defaults to <paramref name="outputColumnName"/>.</param>
    /// <param name="maximumExampleCount">The most rows read while fitting (the first ones).</param>
    /// <param name="fixZero">Keep zero at zero (scale only, no offset); ignored with <paramref name="useCdf"/>.</param>
    /// <param name="useCdf">Output the normal CDF of the standardised value instead of the value.</param>
    public static MeanVarianceNormalizingEstimator NormalizeMeanVariance(this TransformsCatalog catalog, string outputColumnName,
        string? inputColumnName = null, long maximumExampleCount = MeanVarianceNormalizingEstimator.Defaults.MaximumExampleCount,
        bool fixZero = MeanVarianceNormalizingEstimator.Defaults.FixZero, bool useCdf = MeanVarianceNormalizingEstimator.Defaults.UseCdf) =>
        catalog.NormalizeMeanVariance(new MeanVarianceNormalizingEstimator.Options
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            MaximumExampleCount = maximumExampleCount,
            FixZero = fixZero,
            UseCdf = useCdf,
        });

    /// <summary>Mean-variance normalisation with every option given (see the simple overload).</summary>
    public static MeanVarianceNormalizingEstimator NormalizeMeanVariance(this TransformsCatalog catalog, MeanVarianceNormalizingEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new MeanVarianceNormalizingEstimator(options);
    }
}

/// <summary>Learns per-slot means and variances and produces a <see cref="NormalizingTransformer"/> (affine or CDF).</summary>
public sealed class MeanVarianceNormalizingEstimator : IEstimator<NormalizingTransformer>
{
    private readonly Options _options;

    internal MeanVarianceNormalizingEstimator(Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.OutputColumnName);
        if (options.MaximumExampleCount <= 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaximumExampleCount, "MaximumExampleCount must be greater than 1.");
        _options = options;
    }

    private string InputColumnName => string.IsNullOrEmpty(_options.InputColumnName) ? _options.OutputColumnName : _options.InputColumnName;

    /// <summary>The defaults of <c>NormalizeMeanVariance</c>, as in ML.NET.</summary>
    public static class Defaults
    {
        public const long MaximumExampleCount = 1_000_000_000;
        public const bool FixZero = true;
        public const bool UseCdf = false;
    }

    /// <summary>Every setting of <c>NormalizeMeanVariance</c>.</summary>
    public sealed record Options
    {
        public required string OutputColumnName { get; init; }
        public string? InputColumnName { get; init; }
        public long MaximumExampleCount { get; init; } = Defaults.MaximumExampleCount;
        public bool FixZero { get; init; } = Defaults.FixZero;
        public bool UseCdf { get; init; } = Defaults.UseCdf;
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        NormalizingTransformer.PredictOutput(inputSchema, _options.OutputColumnName, InputColumnName);

    public NormalizingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var stats = NormalizerStatistics.Gather(input, input.Schema[InputColumnName], _options.MaximumExampleCount, withMoments: true);
        var slots = stats.Mean.Length;
        var first = new float[slots];
        var second = new float[slots];
        for (int i = 0; i < slots; i++)
        {
            (first[i], second[i]) = _options.UseCdf
                ? ComputeMeanAndStdDev(stats.Mean[i], stats.Variance(i), stats.M2[i])
                : ComputeScaleAndOffset(stats.Mean[i], stats.Variance(i), stats.M2[i], _options.FixZero);
        }
        return new NormalizingTransformer(_options.OutputColumnName, InputColumnName,
            _options.UseCdf ? NormalizerMode.Cdf : NormalizerMode.Affine, first, second);
    }

    /// <summary>
    /// ML.NET's MeanVarUtils: a slot whose values do not vary (M2 = 0) gets scale 0 and offset 0; fixZero gives
    /// scale 1 / sqrt(variance + mean^2) and offset 0; otherwise scale 1 / stddev and offset mean. The variance is the
    /// population variance M2 / n.
    /// </summary>
    internal static (float Scale, float Offset) ComputeScaleAndOffset(double mean, double variance, double m2, bool fixZero)
    {
        if (m2 == 0)
            return (0, 0);
        if (fixZero)
            return (1 / (float)Math.Sqrt(variance + mean * mean), 0);
        var scale = 1 / (float)Math.Sqrt(variance);
        return scale == 0 ? (0, 0) : (scale, (float)mean);
    }

    /// <summary>The CDF normaliser's parameters: mean and population standard deviation, both 0 for a constant slot.</summary>
    internal static (float Mean, float StdDev) ComputeMeanAndStdDev(double mean, double variance, double m2) =>
        m2 == 0 ? (0, 0) : ((float)mean, (float)Math.Sqrt(variance));
}

using MlNetDigits.Core;
using MlNetDigits.Data;

namespace MlNetDigits.Transforms;

/// <summary><c>NormalizeMinMax</c> on <see cref="TransformsCatalog"/>.</summary>
public static class MinMaxNormalizingCatalog
{
    /// <summary>
    /// Normalises each slot of a Single column by the minimum and maximum seen while fitting, with ML.NET's formulas:
    /// fixZero: <c>y = x / max(|min|, |max|)</c> (zero stays zero, values land in [-1, 1]); otherwise
    /// <c>y = (x - min) / (max - min)</c> (values land in [0, 1]). A constant slot gets scale 0 (finite values become 0).
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The normalised column to add (Single, same shape as the input).</param>
    /// <param name="inputColumnName">The Single column (scalar or vector) to read; defaults to <paramref name="outputColumnName"/>.</param>
    /// <param name="maximumExampleCount">The most rows read while fitting (the first ones).</param>
    /// <param name="fixZero">Keep zero at zero (scale only, no offset).</param>
    public static MinMaxNormalizingEstimator NormalizeMinMax(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName = null,
        long maximumExampleCount = MinMaxNormalizingEstimator.Defaults.MaximumExampleCount, bool fixZero = MinMaxNormalizingEstimator.Defaults.FixZero) =>
        catalog.NormalizeMinMax(new MinMaxNormalizingEstimator.Options
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            MaximumExampleCount = maximumExampleCount,
            FixZero = fixZero,
        });

    /// <summary>Min-max normalisation with every option given (see the simple overload).</summary>
    public static MinMaxNormalizingEstimator NormalizeMinMax(this TransformsCatalog catalog, MinMaxNormalizingEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new MinMaxNormalizingEstimator(options);
    }
}

/// <summary>Learns per-slot minima and maxima and produces an affine <see cref="NormalizingTransformer"/>.</summary>
public sealed class MinMaxNormalizingEstimator : IEstimator<NormalizingTransformer>
{
    private readonly Options _options;

    internal MinMaxNormalizingEstimator(Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.OutputColumnName);
        if (options.MaximumExampleCount <= 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaximumExampleCount, "MaximumExampleCount must be greater than 1.");
        _options = options;
    }

    private string InputColumnName => string.IsNullOrEmpty(_options.InputColumnName) ? _options.OutputColumnName : _options.InputColumnName;

    /// <summary>The defaults of <c>NormalizeMinMax</c>, as in ML.NET.</summary>
    public static class Defaults
    {
        public const long MaximumExampleCount = 1_000_000_000;
        public const bool FixZero = true;
    }

    /// <summary>Every setting of <c>NormalizeMinMax</c>.</summary>
    public sealed record Options
    {
        public required string OutputColumnName { get; init; }
        public string? InputColumnName { get; init; }
        public long MaximumExampleCount { get; init; } = Defaults.MaximumExampleCount;
        public bool FixZero { get; init; } = Defaults.FixZero;
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        NormalizingTransformer.PredictOutput(inputSchema, _options.OutputColumnName, InputColumnName);

    public NormalizingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var stats = NormalizerStatistics.Gather(input, input.Schema[InputColumnName], _options.MaximumExampleCount, withMoments: false);
        var slots = stats.Min.Length;
        var scale = new float[slots];
        var offset = new float[slots];
        for (int i = 0; i < slots; i++)
            (scale[i], offset[i]) = ComputeScaleAndOffset(stats.Min[i], stats.Max[i], _options.FixZero);
        return new NormalizingTransformer(_options.OutputColumnName, InputColumnName, NormalizerMode.Affine, scale, offset);
    }

    /// <summary>
    /// ML.NET's MinMaxUtils: a slot with max &lt;= min (constant, all NaN, or no rows) gets scale 0 and offset 0; fixZero gives
    /// scale 1 / max(|min|, |max|) and offset 0; otherwise scale 1 / (max - min) and offset min.
    /// </summary>
    internal static (float Scale, float Offset) ComputeScaleAndOffset(float min, float max, bool fixZero)
    {
        if (!(max > min))
            return (0, 0);
        if (fixZero)
            return (1 / Math.Max(Math.Abs(max), Math.Abs(min)), 0);
        var scale = 1 / (max - min);
        return scale == 0 ? (0, 0) : (scale, min);
    }
}

using System.Numerics.Tensors;
using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Model;

namespace MlNetDigits.Transforms;

/// <summary><c>NormalizeImage</c> on <see cref="TransformsCatalog"/>.</summary>
public static class ImageNormalizingCatalog
{
    /// <summary>
    /// Standardises raw 0..255 pixels per channel as torchvision's <c>ToTensor()</c> then <c>Normalize(mean, std)</c> do:
    /// <c>y = (x / 255 - mean[c]) / std[c]</c>, c the channel of the pixel (from the ImageShape annotation, channels
    /// outermost). The defaults are MNIST's training-set statistics. Keeps ImageShape and SlotNames; learns nothing.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The column to add (same shape as the input).</param>
    /// <param name="inputColumnName">The Single image column to read; defaults to <paramref name="outputColumnName"/>.</param>
    /// <param name="mean">Per-channel means of x / 255 (one value applies to every channel); defaults to {0.1307}.</param>
    /// <param name="std">Per-channel standard deviations of x / 255; defaults to {0.3081}.</param>
    public static ImageNormalizingEstimator NormalizeImage(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName = null,
        float[]? mean = null, float[]? std = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ImageNormalizingEstimator(outputColumnName, inputColumnName, mean ?? [ImageNormalizingEstimator.Defaults.MnistMean],
            std ?? [ImageNormalizingEstimator.Defaults.MnistStd]);
    }
}

/// <summary>Checks the image column and produces an <see cref="ImageNormalizingTransformer"/>; learns nothing.</summary>
public sealed class ImageNormalizingEstimator : IEstimator<ImageNormalizingTransformer>
{
    private readonly string _outputColumnName;
    private readonly string _inputColumnName;
    private readonly float[] _mean;
    private readonly float[] _std;

    internal ImageNormalizingEstimator(string outputColumnName, string? inputColumnName, float[] mean, float[] std)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ImageNormalizingTransformer.CheckParameters(mean, std);
        _outputColumnName = outputColumnName;
        _inputColumnName = string.IsNullOrEmpty(inputColumnName) ? outputColumnName : inputColumnName;
        _mean = [.. mean];
        _std = [.. std];
    }

    /// <summary>The defaults of <c>NormalizeImage</c>: MNIST's mean and standard deviation of pixel / 255.</summary>
    public static class Defaults
    {
        public const float MnistMean = 0.1307f;
        public const float MnistStd = 0.3081f;
        public const float PixelMaximum = 255f;
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var expected = _mean.Length == 1 ? NormalizingTransformer.ExpectedInput : $"a vector of Single with an ImageShape annotation of {_mean.Length} channels";
        var input = ShapeChecks.Require(inputSchema, _inputColumnName, expected,
            c => ShapeChecks.IsSingleOrSingleVector(c) && (_mean.Length == 1 || c.AnnotationKinds.Contains(AnnotationKinds.ImageShape)));
        return inputSchema.With(new SchemaShape.Column(_outputColumnName, input.Kind, NumberDataViewType.Single, IsKey: false, input.Dimensions,
            [.. ShapeChecks.Keep(input.AnnotationKinds, AnnotationKinds.SlotNames, AnnotationKinds.ImageShape)]));
    }

    public ImageNormalizingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var transformer = new ImageNormalizingTransformer(_outputColumnName, _inputColumnName, _mean, _std);
        transformer.GetOutputSchema(input.Schema);
        return transformer;
    }
}

/// <summary>Computes <c>y = (x / 255 - Mean[c]) / Std[c]</c> for every pixel, c its channel.</summary>
[ModelStage("NormalizeImage")]
public sealed class ImageNormalizingTransformer : OneToOneTransformerBase
{
    private readonly float[] _mean;
    private readonly float[] _std;

    internal ImageNormalizingTransformer(string outputColumnName, string inputColumnName, float[] mean, float[] std)
        : base(outputColumnName, inputColumnName)
    {
        CheckParameters(mean, std);
        _mean = mean;
        _std = std;
    }

    /// <summary>Per-channel means of x / 255.</summary>
    public IReadOnlyList<float> Mean => _mean;

    /// <summary>Per-channel standard deviations of x / 255.</summary>
    public IReadOnlyList<float> Std => _std;

    internal static void CheckParameters(float[] mean, float[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length == 0 || mean.Length != std.Length)
            throw new ArgumentException($"NormalizeImage needs one mean and one std per channel; got {mean.Length} means and {std.Length} stds.");
        if (mean.Any(m => !float.IsFinite(m)) || std.Any(s => !(s > 0) || !float.IsFinite(s)))
            throw new ArgumentException("NormalizeImage needs finite means and positive, finite standard deviations.");
    }

    private protected override string DescribeExpectedInput() => _mean.Length == 1
        ? NormalizingTransformer.ExpectedInput
        : $"a vector of Single with an ImageShape annotation of {_mean.Length} channels";

    private protected override OutputColumn GetOutputColumn(DataViewSchema.Column input)
    {
        if (!ShapeChecks.IsSingleOrSingleVector(input.Type))
            throw new SchemaException(InputColumnName, DescribeExpectedInput(), input.Type.ToString());
        ChannelSize(input);
        return new OutputColumn(OutputColumnName, input.Type, input.Annotations.Only(AnnotationKinds.SlotNames, AnnotationKinds.ImageShape));
    }

    /// <summary>The number of slots per channel: the whole column for one channel, else Height * Width from ImageShape.</summary>
    private int ChannelSize(DataViewSchema.Column input)
    {
        var size = input.Type is VectorDataViewType v ? v.Size : 1;
        if (_mean.Length == 1)
            return size;
        if (input.Annotations.GetImageShape() is not { } shape || shape.Channels != _mean.Length || shape.Channels * shape.Height * shape.Width != size)
            throw new SchemaException(InputColumnName, DescribeExpectedInput(),
                $"{input.Type} with image shape {input.Annotations.GetImageShape()?.ToString() ?? "(none)"}");
        return shape.Height * shape.Width;
    }

    private protected override Delegate MakeGetter(DataViewRow row, DataViewSchema.Column input)
    {
        var channelSize = ChannelSize(input);
        var (mean, std) = (_mean, _std);
        if (input.Type is VectorDataViewType)
        {
            var source = row.GetGetter<VBuffer<float>>(input);
            VBuffer<float> buffer = default;
            return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
            {
                source(ref buffer);
                var x = buffer.GetValues();
                var y = VBuffer<float>.Edit(ref dst, x.Length);
                // x, y: (Channels, Height * Width), channel c uses mean[c] and std[c].
                for (int c = 0; c < mean.Length; c++)
                {
                    var xc = x.Slice(c * channelSize, channelSize);
                    var yc = y.Slice(c * channelSize, channelSize);
                    TensorPrimitives.Divide(xc, ImageNormalizingEstimator.Defaults.PixelMaximum, yc);
                    TensorPrimitives.Subtract(yc, mean[c], yc);
                    TensorPrimitives.Divide(yc, std[c], yc);
                }
            });
        }
        var getter = row.GetGetter<float>(input);
        float value = 0;
        return (ValueGetter<float>)((ref float dst) =>
        {
            getter(ref value);
            dst = (value / ImageNormalizingEstimator.Defaults.PixelMaximum - mean[0]) / std[0];
        });
    }

    public override void Save(ModelSaveContext context) =>
        context.WriteJson("transform.json", new Parameters(OutputColumnName, InputColumnName, "y = (x / 255 - Mean[c]) / Std[c]", _mean, _std));

    /// <summary>Reads a transformer written by <see cref="Save"/>.</summary>
    public static ImageNormalizingTransformer Load(ModelLoadContext context)
    {
        var p = context.ReadJson<Parameters>("transform.json");
        try
        {
            return new ImageNormalizingTransformer(p.OutputColumnName, p.InputColumnName, p.Mean ?? [], p.Std ?? []);
        }
        catch (ArgumentException e)
        {
            throw new InvalidModelException($"Model entry '{context.Folder}/transform.json' is invalid: {e.Message}");
        }
    }

    private sealed record Parameters(string OutputColumnName, string InputColumnName, string Formula, float[] Mean, float[] Std);
}

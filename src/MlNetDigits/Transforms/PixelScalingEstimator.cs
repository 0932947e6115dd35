using System.Numerics.Tensors;
using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Model;

namespace MlNetDigits.Transforms;

/// <summary><c>ScalePixels</c> on <see cref="TransformsCatalog"/>.</summary>
public static class PixelScalingCatalog
{
    /// <summary>
    /// Maps every pixel (every slot of a Single column) to <c>y = x * scale + offset</c>, with constants fixed in advance:
    /// the default maps MNIST's raw 0..255 to 0..1. Keeps the ImageShape and SlotNames annotations; learns nothing.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The column to add (same shape as the input).</param>
    /// <param name="inputColumnName">The Single column (scalar or vector) to read; defaults to <paramref name="outputColumnName"/>.</param>
    /// <param name="scale">The factor applied first.</param>
    /// <param name="offset">The value added after scaling.</param>
    public static PixelScalingEstimator ScalePixels(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName = null,
        float scale = PixelScalingEstimator.Defaults.Scale, float offset = PixelScalingEstimator.Defaults.Offset)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new PixelScalingEstimator(outputColumnName, inputColumnName, scale, offset);
    }
}

/// <summary>Checks the pixel column and produces a <see cref="PixelScalingTransformer"/>; learns nothing.</summary>
public sealed class PixelScalingEstimator : IEstimator<PixelScalingTransformer>
{
    private readonly string _outputColumnName;
    private readonly string _inputColumnName;
    private readonly float _scale;
    private readonly float _offset;

    internal PixelScalingEstimator(string outputColumnName, string? inputColumnName, float scale, float offset)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        if (!float.IsFinite(scale) || !float.IsFinite(offset))
            throw new ArgumentOutOfRangeException(nameof(scale), $"ScalePixels needs a finite scale and offset; got scale {scale} and offset {offset}.");
        _outputColumnName = outputColumnName;
        _inputColumnName = string.IsNullOrEmpty(inputColumnName) ? outputColumnName : inputColumnName;
        _scale = scale;
        _offset = offset;
    }

    /// <summary>The defaults of <c>ScalePixels</c>: 0..255 to 0..1.</summary>
    public static class Defaults
    {
        public const float Scale = 1f / 255;
        public const float Offset = 0f;
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var input = ShapeChecks.Require(inputSchema, _inputColumnName, NormalizingTransformer.ExpectedInput, ShapeChecks.IsSingleOrSingleVector);
        return inputSchema.With(new SchemaShape.Column(_outputColumnName, input.Kind, NumberDataViewType.Single, IsKey: false, input.Dimensions,
            [.. ShapeChecks.Keep(input.AnnotationKinds, AnnotationKinds.SlotNames, AnnotationKinds.ImageShape)]));
    }

    public PixelScalingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        return new PixelScalingTransformer(_outputColumnName, _inputColumnName, _scale, _offset);
    }
}

/// <summary>Computes <c>y = x * Scale + Offset</c> for every slot of a Single column.</summary>
[ModelStage("ScalePixels")]
public sealed class PixelScalingTransformer : OneToOneTransformerBase
{
    internal PixelScalingTransformer(string outputColumnName, string inputColumnName, float scale, float offset)
        : base(outputColumnName, inputColumnName)
    {
        Scale = scale;
        Offset = offset;
    }

    public float Scale { get; }

    public float Offset { get; }

    private protected override string DescribeExpectedInput() => NormalizingTransformer.ExpectedInput;

    private protected override OutputColumn GetOutputColumn(DataViewSchema.Column input)
    {
        if (!ShapeChecks.IsSingleOrSingleVector(input.Type))
            throw new SchemaException(InputColumnName, DescribeExpectedInput(), input.Type.ToString());
        return new OutputColumn(OutputColumnName, input.Type, input.Annotations.Only(AnnotationKinds.SlotNames, AnnotationKinds.ImageShape));
    }

    private protected override Delegate MakeGetter(DataViewRow row, DataViewSchema.Column input)
    {
        var (scale, offset) = (Scale, Offset);
        if (input.Type is VectorDataViewType)
        {
            var source = row.GetGetter<VBuffer<float>>(input);
            VBuffer<float> buffer = default;
            return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
            {
                source(ref buffer);
                var x = buffer.GetValues();
                var y = VBuffer<float>.Edit(ref dst, x.Length);
                // Two rounded operations, as the scalar x * scale + offset (no fused multiply-add).
                TensorPrimitives.Multiply(x, scale, y);
                TensorPrimitives.Add(y, offset, y);
            });
        }
        var getter = row.GetGetter<float>(input);
        float value = 0;
        return (ValueGetter<float>)((ref float dst) =>
        {
            getter(ref value);
            dst = value * scale + offset;
        });
    }

    public override void Save(ModelSaveContext context) =>
        context.WriteJson("transform.json", new Parameters(OutputColumnName, InputColumnName, "y = x * Scale + Offset", Scale, Offset));

    /// <summary>Reads a transformer written by <see cref="Save"/>.</summary>
    public static PixelScalingTransformer Load(ModelLoadContext context)
    {
        var p = context.ReadJson<Parameters>("transform.json");
        if (!float.IsFinite(p.Scale) || !float.IsFinite(p.Offset))
            throw new InvalidModelException($"Model entry '{context.Folder}/transform.json' has a scale or offset that is not finite.");
        return new PixelScalingTransformer(p.OutputColumnName, p.InputColumnName, p.Scale, p.Offset);
    }

    private sealed record Parameters(string OutputColumnName, string InputColumnName, string Formula, float Scale, float Offset);
}

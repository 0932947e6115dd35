using System.Numerics.Tensors;
using System.Globalization;
using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Model;

namespace MlNetDigits.Transforms;

/// <summary>How a fitted normaliser maps each slot.</summary>
public enum NormalizerMode
{
    /// <summary><c>y = (x - Offset[i]) * Scale[i]</c> (min-max and mean-variance).</summary>
    Affine,

    /// <summary><c>y = CDF((x - Mean[i]) / StdDev[i])</c> of the normal distribution (mean-variance with useCdf).</summary>
    Cdf,
}

/// <summary>
/// A fitted normaliser of a Single column (scalar or vector), slot by slot, as ML.NET's NormalizingTransformer. The output is
/// Single with the same shape, marked with the IsNormalized annotation, keeping SlotNames and ImageShape.
/// Affine: <c>y = (x - Offset[i]) * Scale[i]</c>. Cdf: <c>y = 0.5 (1 + erf((x - Mean[i]) / (StdDev[i] sqrt 2)))</c> with
/// ML.NET's approximation of erf, and 0 for a constant slot or a non-finite x.
/// </summary>
[ModelStage("Normalize")]
public sealed class NormalizingTransformer : OneToOneTransformerBase
{
    private const string ParametersEntry = "normalizer.bin";
    private const string SidecarEntry = "normalizer.json";

    private readonly float[] _first;   // Affine: Scale (Slots); Cdf: Mean (Slots)
    private readonly float[] _second;  // Affine: Offset (Slots); Cdf: StdDev (Slots)

    internal NormalizingTransformer(string outputColumnName, string inputColumnName, NormalizerMode mode, float[] first, float[] second)
        : base(outputColumnName, inputColumnName)
    {
        if (first.Length == 0 || first.Length != second.Length)
            throw new ArgumentException($"A normaliser needs the same positive number of parameters per slot ({first.Length} and {second.Length} given).");
        Mode = mode;
        _first = first;
        _second = second;
    }

    public NormalizerMode Mode { get; }

    /// <summary>The number of slots (1 for a scalar column).</summary>
    public int SlotCount => _first.Length;

    /// <summary>Affine mode: the per-slot scales.</summary>
    public IReadOnlyList<float> Scale => Mode == NormalizerMode.Affine ? _first : throw new InvalidOperationException("A CDF normaliser has no scales; read Mean and StdDev.");

    /// <summary>Affine mode: the per-slot offsets (all 0 with fixZero).</summary>
    public IReadOnlyList<float> Offset => Mode == NormalizerMode.Affine ? _second : throw new InvalidOperationException("A CDF normaliser has no offsets; read Mean and StdDev.");

    /// <summary>CDF mode: the per-slot means.</summary>
    public IReadOnlyList<float> Mean => Mode == NormalizerMode.Cdf ? _first : throw new InvalidOperationException("An affine normaliser has no means; read Scale and Offset.");

    /// <summary>CDF mode: the per-slot population standard deviations.</summary>
    public IReadOnlyList<float> StdDev => Mode == NormalizerMode.Cdf ? _second : throw new InvalidOperationException("An affine normaliser has no deviations; read Scale and Offset.");

    private protected override string DescribeExpectedInput() =>
        _first.Length == 1 ? "Single (or a vector of 1 Single)" : $"a vector of {_first.Length} Single";

    private protected override OutputColumn GetOutputColumn(DataViewSchema.Column input)
    {
        var size = input.Type is VectorDataViewType v ? v.Size : 1;
        if (!ShapeChecks.IsSingleOrSingleVector(input.Type) || size != _first.Length)
            throw new SchemaException(InputColumnName, DescribeExpectedInput(), input.Type.ToString());
        return new OutputColumn(OutputColumnName, input.Type, OutputAnnotations(input.Annotations));
    }

    /// <summary>IsNormalized plus the input's SlotNames and ImageShape.</summary>
    internal static DataViewSchema.Annotations OutputAnnotations(DataViewSchema.Annotations input) =>
        input.Only(AnnotationKinds.SlotNames, AnnotationKinds.ImageShape).With(AnnotationKinds.IsNormalized, BooleanDataViewType.Instance, true);

    /// <summary>The annotation names <see cref="OutputAnnotations"/> gives, for schema shapes.</summary>
    internal static string[] OutputAnnotationKinds(IEnumerable<string> input) =>
        [AnnotationKinds.IsNormalized, .. ShapeChecks.Keep(input, AnnotationKinds.SlotNames, AnnotationKinds.ImageShape)];

    internal const string ExpectedInput = "Single or a vector of Single";

    /// <summary>The shape a normalising estimator predicts: <paramref name="outputColumnName"/> with the input's shape, Single, IsNormalized.</summary>
    internal static SchemaShape PredictOutput(SchemaShape inputSchema, string outputColumnName, string inputColumnName)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var input = ShapeChecks.Require(inputSchema, inputColumnName, ExpectedInput, ShapeChecks.IsSingleOrSingleVector);
        return inputSchema.With(new SchemaShape.Column(outputColumnName, input.Kind, NumberDataViewType.Single, IsKey: false,
            input.Dimensions, [.. OutputAnnotationKinds(input.AnnotationKinds)]));
    }

    private protected override Delegate MakeGetter(DataViewRow row, DataViewSchema.Column input)
    {
        if (input.Type is VectorDataViewType)
        {
            var source = row.GetGetter<VBuffer<float>>(input);
            VBuffer<float> buffer = default;
            return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> dst) =>
            {
                source(ref buffer);
                Apply(buffer.GetValues(), VBuffer<float>.Edit(ref dst, _first.Length));
            });
        }
        var getter = row.GetGetter<float>(input);
        float x = 0;
        return (ValueGetter<float>)((ref float dst) =>
        {
            getter(ref x);
            dst = Mode == NormalizerMode.Affine ? (x - _second[0]) * _first[0] : Cdf(x, _first[0], _second[0]);
        });
    }

    /// <summary>Normalises one row of slots.</summary>
    private void Apply(ReadOnlySpan<float> x, Span<float> y)
    {
        if (Mode == NormalizerMode.Affine)
        {
            // y = (x - Offset) * Scale, slot by slot.
            TensorPrimitives.Subtract(x, _second, y);
            TensorPrimitives.Multiply(y, _first, y);
        }
        else
        {
            for (int i = 0; i < y.Length; i++)
                y[i] = Cdf(x[i], _first[i], _second[i]);
        }
    }

    /// <summary>
    /// ML.NET's normal CDF: erf approximated as sign(u) sqrt(1 - exp(-u^2 (4/pi + a u^2) / (1 + a u^2))), a = 0.147, of
    /// u = (x - mean) / (stddev sqrt 2); 0 when the slot is constant or x is not finite.
    /// </summary>
    internal static float Cdf(float x, float mean, float stddev)
    {
        if (!(stddev > float.Epsilon) || !float.IsFinite(x))
            return 0;
        var z = (x - mean) / stddev;
        var x2 = z * z / 2;
        const float a = 0.147f;
        var ax2 = a * x2;
        return (float)(0.5 + 0.5 * Math.Sign(z) * Math.Sqrt(1 - Math.Exp(-x2 * (4 / Math.PI + ax2) / (1 + ax2))));
    }

    /// <summary>
    /// Writes <c>normalizer.bin</c> (little-endian: int32 layout version 1, int32 mode (0 affine, 1 CDF), int32 slot count
    /// N, float32[N] scale or mean, float32[N] offset or stddev) and the readable sidecar <c>normalizer.json</c>.
    /// </summary>
    public override void Save(ModelSaveContext context)
    {
        context.WriteJson("transform.json", new Header(OutputColumnName, InputColumnName));
        context.WriteBinary(ParametersEntry, w =>
        {
            w.Write(1);
            w.Write((int)Mode);
            w.Write(_first.Length);
            foreach (var v in _first)
                w.Write(v);
            foreach (var v in _second)
                w.Write(v);
        });
        object[] slots = Mode == NormalizerMode.Affine
            ? [.. Enumerable.Range(0, _first.Length).Select(i => new AffineSlot(i, _first[i], _second[i]))]
            : [.. Enumerable.Range(0, _first.Length).Select(i => new CdfSlot(i, _first[i], _second[i]))];
        context.WriteJson(SidecarEntry, new Sidecar(Mode.ToString(),
            Mode == NormalizerMode.Affine ? "y = (x - Offset) * Scale" : "y = NormalCdf((x - Mean) / StdDev)", _first.Length, slots));
    }

    /// <summary>Reads a transformer written by <see cref="Save"/> (the binary entry holds the parameters).</summary>
    public static NormalizingTransformer Load(ModelLoadContext context)
    {
        var header = context.ReadJson<Header>("transform.json");
        var path = $"{context.Folder}/{ParametersEntry}";
        var (mode, first, second) = context.ReadBinary(ParametersEntry, r =>
        {
            var layout = r.ReadInt32();
            if (layout != 1)
                throw new InvalidModelException($"Model entry '{path}' has layout version {layout}; this version of MlNetDigits reads version 1.");
            var mode = r.ReadInt32();
            if (mode is not (0 or 1))
                throw new InvalidModelException($"Model entry '{path}' has normaliser mode {mode}; expected 0 (affine) or 1 (CDF).");
            var count = r.ReadInt32();
            // The count is checked against the entry's length before anything is allocated from it.
            if (count <= 0 || (long)count * 8 != r.BaseStream.Length - r.BaseStream.Position)
                throw new InvalidModelException($"Model entry '{path}' declares {count.ToString(CultureInfo.InvariantCulture)} slots, which does not match its length.");
            var a = new float[count];
            var b = new float[count];
            for (int i = 0; i < count; i++)
                a[i] = r.ReadSingle();
            for (int i = 0; i < count; i++)
                b[i] = r.ReadSingle();
            return ((NormalizerMode)mode, a, b);
        });
        return new NormalizingTransformer(header.OutputColumnName, header.InputColumnName, mode, first, second);
    }

    private sealed record Header(string OutputColumnName, string InputColumnName);

    private sealed record Sidecar(string Mode, string Formula, int SlotCount, object[] Slots);

    private sealed record AffineSlot(int Slot, float Scale, float Offset);

    private sealed record CdfSlot(int Slot, float Mean, float StdDev);
}

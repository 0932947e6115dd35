using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MlNetDigits.Engine.Sdca;

/// <summary>
/// The two operations of a linear multiclass model over one sparse example, with the weights stored feature-major
/// (<c>w: (features, stride)</c>, class <c>c</c> of feature <c>j</c> at <c>j * stride + c</c>, stride a multiple of 8):
/// every stored feature touches one contiguous run of class weights, so both are a few <see cref="Vector256{T}"/> FMAs per
/// non-zero feature.
/// </summary>
public static class LinearKernels
{
    /// <summary>The row stride for <paramref name="classCount"/> classes: the next multiple of 8.</summary>
    public static int StrideFor(int classCount) => (classCount + 7) & ~7;

    /// <summary>scores[c] = bias[c] + sum_k values[k] * w[indices[k], c] for every c &lt; stride.</summary>
    public static void Scores(ReadOnlySpan<int> indices, ReadOnlySpan<float> values, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> scores)
    {
        // scores, bias: (stride); w: (features, stride)
        int stride = scores.Length;
        bias[..stride].CopyTo(scores);
        ref float s = ref MemoryMarshal.GetReference(scores);
        ref float w0 = ref MemoryMarshal.GetReference(w);
        if (stride == 8)
        {
            var acc = Vector256.LoadUnsafe(ref s);
            for (int k = 0; k < indices.Length; k++)
                acc += Vector256.Create(values[k]) * Vector256.LoadUnsafe(ref w0, (nuint)(indices[k] * 8));
            acc.StoreUnsafe(ref s);
            return;
        }
        if (stride == 16)
        {
            var acc0 = Vector256.LoadUnsafe(ref s);
            var acc1 = Vector256.LoadUnsafe(ref s, 8);
            for (int k = 0; k < indices.Length; k++)
            {
                var x = Vector256.Create(values[k]);
                nuint row = (nuint)(indices[k] * 16);
                acc0 += x * Vector256.LoadUnsafe(ref w0, row);
                acc1 += x * Vector256.LoadUnsafe(ref w0, row + 8);
            }
            acc0.StoreUnsafe(ref s);
            acc1.StoreUnsafe(ref s, 8);
            return;
        }
        for (int k = 0; k < indices.Length; k++)
        {
            var x = Vector256.Create(values[k]);
            nuint row = (nuint)(indices[k] * stride);
            for (nuint c = 0; c < (nuint)stride; c += 8)
                (Vector256.LoadUnsafe(ref s, c) + x * Vector256.LoadUnsafe(ref w0, row + c)).StoreUnsafe(ref s, c);
        }
    }

    /// <summary>w[indices[k], c] += values[k] * coefficients[c]: a rank-one update of every class's weights.</summary>
    public static void AddOuter(ReadOnlySpan<int> indices, ReadOnlySpan<float> values, ReadOnlySpan<float> coefficients, Span<float> w)
    {
        // coefficients: (stride); w: (features, stride)
        int stride = coefficients.Length;
        ref float w0 = ref MemoryMarshal.GetReference(w);
        ref float c0 = ref MemoryMarshal.GetReference(coefficients);
        for (int k = 0; k < indices.Length; k++)
        {
            var x = Vector256.Create(values[k]);
            nuint row = (nuint)(indices[k] * stride);
            for (nuint c = 0; c < (nuint)stride; c += 8)
                (Vector256.LoadUnsafe(ref w0, row + c) + x * Vector256.LoadUnsafe(ref c0, c)).StoreUnsafe(ref w0, row + c);
        }
    }

    /// <summary>
    /// The L1 form of <see cref="Scores"/>: scores[c] = bias[c] + sum_k values[k] * softThreshold(v[indices[k], c]), the
    /// weights being kept before their soft threshold (computed as v - clamp(v, -threshold, threshold)) so that updates
    /// write one array only.
    /// </summary>
    public static void ScoresSoftThreshold(ReadOnlySpan<int> indices, ReadOnlySpan<float> values, ReadOnlySpan<float> v, float threshold,
        ReadOnlySpan<float> bias, Span<float> scores)
    {
        // scores, bias: (stride); v: (features, stride)
        int stride = scores.Length;
        bias[..stride].CopyTo(scores);
        ref float s = ref MemoryMarshal.GetReference(scores);
        ref float v0 = ref MemoryMarshal.GetReference(v);
        var hi = Vector256.Create(threshold);
        var lo = -hi;
        if (stride == 16)
        {
            var acc0 = Vector256.LoadUnsafe(ref s);
            var acc1 = Vector256.LoadUnsafe(ref s, 8);
            for (int k = 0; k < indices.Length; k++)
            {
                var x = Vector256.Create(values[k]);
                nuint row = (nuint)(indices[k] * 16);
                acc0 += x * SoftThreshold(Vector256.LoadUnsafe(ref v0, row), lo, hi);
                acc1 += x * SoftThreshold(Vector256.LoadUnsafe(ref v0, row + 8), lo, hi);
            }
            acc0.StoreUnsafe(ref s);
            acc1.StoreUnsafe(ref s, 8);
            return;
        }
        for (int k = 0; k < indices.Length; k++)
        {
            var x = Vector256.Create(values[k]);
            nuint row = (nuint)(indices[k] * stride);
            for (nuint c = 0; c < (nuint)stride; c += 8)
                (Vector256.LoadUnsafe(ref s, c) + x * SoftThreshold(Vector256.LoadUnsafe(ref v0, row + c), lo, hi)).StoreUnsafe(ref s, c);
        }
    }

    /// <summary>w = sign(v) * max(|v| - threshold, 0) over whole arrays (lengths a multiple of 8).</summary>
    public static void SoftThreshold(ReadOnlySpan<float> v, float threshold, Span<float> w)
    {
        var hi = Vector256.Create(threshold);
        var lo = -hi;
        ref float v0 = ref MemoryMarshal.GetReference(v);
        ref float w0 = ref MemoryMarshal.GetReference(w);
        for (nuint i = 0; i < (nuint)v.Length; i += 8)
            SoftThreshold(Vector256.LoadUnsafe(ref v0, i), lo, hi).StoreUnsafe(ref w0, i);
    }

    /// <summary>The scalar soft threshold, for biases.</summary>
    public static float SoftThreshold(float v, float threshold) => v - Math.Clamp(v, -threshold, threshold);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> SoftThreshold(Vector256<float> v, Vector256<float> lo, Vector256<float> hi) =>
        v - Vector256.Min(Vector256.Max(v, lo), hi);
}

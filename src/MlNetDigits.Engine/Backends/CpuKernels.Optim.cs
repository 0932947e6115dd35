using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MlNetDigits.Engine.Backends;

// The optimizers' element-wise updates on host arrays, eight lanes at a time with a scalar tail that does the same
// operations in the same order. Static: they keep no state, so any thread may run them on any CPU backend.
public sealed partial class CpuKernels
{
    /// <summary>SGD (see <see cref="SgdStep"/>) over value, grad and momentum buffer b of one length.</summary>
    internal static void SgdUpdate(Span<float> value, ReadOnlySpan<float> grad, Span<float> momentumBuffer, in SgdStep s)
    {
        float wd = s.WeightDecay, negLr = s.NegativeLearningRate;
        ref float p = ref MemoryMarshal.GetReference(value);
        ref float g = ref MemoryMarshal.GetReference(grad);
        int n = value.Length, i = 0;
        if (!s.WithMomentum)
        {
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var pi = Vector256.LoadUnsafe(ref p, (nuint)i);
                var di = Vector256.LoadUnsafe(ref g, (nuint)i) + Vector256.Create(wd) * pi;
                (pi + Vector256.Create(negLr) * di).StoreUnsafe(ref p, (nuint)i);
            }
            for (; i < n; i++)
                Unsafe.Add(ref p, i) += negLr * (Unsafe.Add(ref g, i) + wd * Unsafe.Add(ref p, i));
            return;
        }

        bool first = s.FirstMomentumStep, nesterov = s.Nesterov;
        float keep = s.Keep, take = s.Take, look = s.Look;
        ref float b = ref MemoryMarshal.GetReference(momentumBuffer);
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var pi = Vector256.LoadUnsafe(ref p, (nuint)i);
            var di = Vector256.LoadUnsafe(ref g, (nuint)i) + Vector256.Create(wd) * pi;
            var bi = first ? di : Vector256.LoadUnsafe(ref b, (nuint)i) * Vector256.Create(keep) + di * Vector256.Create(take);
            bi.StoreUnsafe(ref b, (nuint)i);
            di = nesterov ? di + Vector256.Create(look) * bi : bi;
            (pi + Vector256.Create(negLr) * di).StoreUnsafe(ref p, (nuint)i);
        }
        for (; i < n; i++)
        {
            float pi = Unsafe.Add(ref p, i);
            float di = Unsafe.Add(ref g, i) + wd * pi;
            float bi = first ? di : Unsafe.Add(ref b, i) * keep + di * take;
            Unsafe.Add(ref b, i) = bi;
            di = nesterov ? di + look * bi : bi;
            Unsafe.Add(ref p, i) = pi + negLr * di;
        }
    }

    /// <summary>The Adam family's rule (see <see cref="AdamStep"/>); maxExpAvgSq is null unless AMSGrad.</summary>
    internal static void AdamUpdate(Span<float> value, ReadOnlySpan<float> grad, Span<float> expAvg, Span<float> expAvgSq, float[]? maxExpAvgSq, in AdamStep s)
    {
        float l2 = s.L2, decay = s.Decay, gradScale = s.GradScale, momentScale = s.MomentScale;
        float beta1 = s.Beta1, oneMinusBeta1 = s.OneMinusBeta1, beta2 = s.Beta2, oneMinusBeta2 = s.OneMinusBeta2;
        float sqrtBias2 = s.SqrtBias2, eps = s.Epsilon;

        ref float p = ref MemoryMarshal.GetReference(value);
        ref float gr = ref MemoryMarshal.GetReference(grad);
        ref float m = ref MemoryMarshal.GetReference(expAvg);
        ref float v = ref MemoryMarshal.GetReference(expAvgSq);
        bool ams = maxExpAvgSq is not null, nesterov = gradScale != 0;
        ref float vMax = ref ams ? ref MemoryMarshal.GetArrayDataReference(maxExpAvgSq!) : ref v;
        int n = value.Length, i = 0;

        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var pi = Vector256.LoadUnsafe(ref p, (nuint)i);
            var gi = Vector256.LoadUnsafe(ref gr, (nuint)i) + Vector256.Create(l2) * pi;
            pi *= Vector256.Create(decay);
            var mi = Vector256.LoadUnsafe(ref m, (nuint)i) * Vector256.Create(beta1) + gi * Vector256.Create(oneMinusBeta1);
            var vi = Vector256.LoadUnsafe(ref v, (nuint)i) * Vector256.Create(beta2) + gi * gi * Vector256.Create(oneMinusBeta2);
            var vHat = vi;
            if (ams)
            {
                vHat = Vector256.Max(Vector256.LoadUnsafe(ref vMax, (nuint)i), vi);
                vHat.StoreUnsafe(ref vMax, (nuint)i);
            }
            var d = Vector256.Sqrt(vHat) / Vector256.Create(sqrtBias2) + Vector256.Create(eps);
            if (nesterov)
                pi += Vector256.Create(gradScale) * (gi / d);
            pi += Vector256.Create(momentScale) * (mi / d);
            mi.StoreUnsafe(ref m, (nuint)i);
            vi.StoreUnsafe(ref v, (nuint)i);
            pi.StoreUnsafe(ref p, (nuint)i);
        }
        for (; i < n; i++)
        {
            float pi = Unsafe.Add(ref p, i);
            float gi = Unsafe.Add(ref gr, i) + l2 * pi;
            pi *= decay;
            float mi = Unsafe.Add(ref m, i) * beta1 + gi * oneMinusBeta1;
            float vi = Unsafe.Add(ref v, i) * beta2 + gi * gi * oneMinusBeta2;
            float vHat = vi;
            if (ams)
                Unsafe.Add(ref vMax, i) = vHat = MathF.Max(Unsafe.Add(ref vMax, i), vi);
            float d = MathF.Sqrt(vHat) / sqrtBias2 + eps;
            if (nesterov)
                pi += gradScale * (gi / d);
            Unsafe.Add(ref p, i) = pi + momentScale * (mi / d);
            Unsafe.Add(ref m, i) = mi;
            Unsafe.Add(ref v, i) = vi;
        }
    }

    /// <summary>Adadelta (see <see cref="AdadeltaStep"/>) over value, grad, square average s and accumulated delta a.</summary>
    internal static void AdadeltaUpdate(Span<float> value, ReadOnlySpan<float> grad, Span<float> squareAvg, Span<float> accDelta, in AdadeltaStep st)
    {
        float wd = st.WeightDecay, rho = st.Rho, oneMinusRho = st.OneMinusRho, eps = st.Epsilon, negLr = st.NegativeLearningRate;
        ref float p = ref MemoryMarshal.GetReference(value);
        ref float g = ref MemoryMarshal.GetReference(grad);
        ref float s = ref MemoryMarshal.GetReference(squareAvg);
        ref float a = ref MemoryMarshal.GetReference(accDelta);
        int n = value.Length, i = 0;
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var pi = Vector256.LoadUnsafe(ref p, (nuint)i);
            var gi = Vector256.LoadUnsafe(ref g, (nuint)i) + Vector256.Create(wd) * pi;
            var si = Vector256.LoadUnsafe(ref s, (nuint)i) * Vector256.Create(rho) + gi * gi * Vector256.Create(oneMinusRho);
            var ai = Vector256.LoadUnsafe(ref a, (nuint)i);
            var delta = Vector256.Sqrt(ai + Vector256.Create(eps)) / Vector256.Sqrt(si + Vector256.Create(eps)) * gi;
            ai = ai * Vector256.Create(rho) + delta * delta * Vector256.Create(oneMinusRho);
            si.StoreUnsafe(ref s, (nuint)i);
            ai.StoreUnsafe(ref a, (nuint)i);
            (pi + Vector256.Create(negLr) * delta).StoreUnsafe(ref p, (nuint)i);
        }
        for (; i < n; i++)
        {
            float pi = Unsafe.Add(ref p, i);
            float gi = Unsafe.Add(ref g, i) + wd * pi;
            float si = Unsafe.Add(ref s, i) * rho + gi * gi * oneMinusRho;
            float ai = Unsafe.Add(ref a, i);
            float delta = MathF.Sqrt(ai + eps) / MathF.Sqrt(si + eps) * gi;
            Unsafe.Add(ref a, i) = ai * rho + delta * delta * oneMinusRho;
            Unsafe.Add(ref s, i) = si;
            Unsafe.Add(ref p, i) = pi + negLr * delta;
        }
    }
}

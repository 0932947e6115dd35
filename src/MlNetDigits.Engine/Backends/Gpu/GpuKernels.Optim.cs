using ILGPU;
using ILGPU.Runtime;

namespace MlNetDigits.Engine.Backends;

// The optimizers' updates, element by element, the same operations in the same order as the CPU's scalar loops; and
// the gradient norms for clipping, which come back to the host together in one copy.
public sealed partial class GpuKernels
{
    private Action<Index1D, Loop, ArrayView<float>, ArrayView<float>, ArrayView<float>, SgdScalars>? _sgd;
    private Action<Index1D, Loop, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamScalars>? _adam;
    private Action<Index1D, Loop, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdadeltaStep>? _adadelta;
    private Action<Index1D, Loop, ArrayView<float>, ArrayView<double>, int, int>? _squarePartials;
    private Action<Index1D, Loop, ArrayView<double>, ArrayView<float>, int>? _norms;

    /// <summary><see cref="SgdStep"/> with its flags as ints, as kernels take them.</summary>
    internal readonly record struct SgdScalars(float NegativeLearningRate, float WeightDecay, int WithMomentum, int FirstMomentumStep, float Keep, float Take, int Nesterov, float Look);

    /// <summary><see cref="AdamStep"/> and whether AMSGrad's maximum is kept.</summary>
    internal readonly record struct AdamScalars(AdamStep Step, int AmsGrad);

    public void SgdUpdate(Tensor value, Tensor grad, Tensor momentumBuffer, in SgdStep step)
    {
        Require(grad.Length, value.Length, "SgdUpdate grad");
        Require(momentumBuffer.Length, value.Length, "SgdUpdate momentumBuffer");
        if (value.Length == 0)
            return;
        _sgd ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<float>, ArrayView<float>, SgdScalars>(SgdKernel);
        var loop = LoopOver(value.Length);
        _sgd(loop.Stride, loop, View(value), View(grad), View(momentumBuffer), new SgdScalars(step.NegativeLearningRate, step.WeightDecay,
            step.WithMomentum ? 1 : 0, step.FirstMomentumStep ? 1 : 0, step.Keep, step.Take, step.Nesterov ? 1 : 0, step.Look));
    }

    public void AdamUpdate(Tensor value, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor? maxExpAvgSq, in AdamStep step)
    {
        Require(grad.Length, value.Length, "AdamUpdate grad");
        Require(expAvg.Length, value.Length, "AdamUpdate expAvg");
        Require(expAvgSq.Length, value.Length, "AdamUpdate expAvgSq");
        if (maxExpAvgSq is not null)
            Require(maxExpAvgSq.Length, value.Length, "AdamUpdate maxExpAvgSq");
        if (value.Length == 0)
            return;
        _adam ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamScalars>(AdamKernel);
        var v = View(expAvgSq);
        var loop = LoopOver(value.Length);
        _adam(loop.Stride, loop, View(value), View(grad), View(expAvg), v, maxExpAvgSq is null ? v : View(maxExpAvgSq), new AdamScalars(step, maxExpAvgSq is null ? 0 : 1));
    }

    public void AdadeltaUpdate(Tensor value, Tensor grad, Tensor squareAvg, Tensor accDelta, in AdadeltaStep step)
    {
        Require(grad.Length, value.Length, "AdadeltaUpdate grad");
        Require(squareAvg.Length, value.Length, "AdadeltaUpdate squareAvg");
        Require(accDelta.Length, value.Length, "AdadeltaUpdate accDelta");
        if (value.Length == 0)
            return;
        _adadelta ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdadeltaStep>(AdadeltaKernel);
        var loop = LoopOver(value.Length);
        _adadelta(loop.Stride, loop, View(value), View(grad), View(squareAvg), View(accDelta), step);
    }

    public void GradientNorms(IReadOnlyList<Parameter> parameters, Span<float> norms)
    {
        Require(norms.Length, parameters.Count, "GradientNorms norms");
        if (parameters.Count == 0)
            return;
        var partials = Scratch(ref _partialSums, (long)parameters.Count * _partials);
        _squarePartials ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<double>, int, int>(SquarePartialsKernel);
        var perPartial = LoopOver(_partials);
        for (int i = 0; i < parameters.Count; i++)
            _squarePartials(perPartial.Stride, perPartial, View(parameters[i].Grad), partials.SubView((long)i * _partials, _partials), parameters[i].Grad.Length, _partials);
        var result = Scratch(ref _floatScratch, parameters.Count);
        _norms ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<double>, ArrayView<float>, int>(NormsKernel);
        var perParameter = LoopOver(parameters.Count);
        _norms(perParameter.Stride, perParameter, partials, result, _partials);
        result.CopyToCPU(norms);
        _accelerator.Synchronize();
    }

    internal static void SgdKernel(Index1D t, Loop loop, ArrayView<float> value, ArrayView<float> grad, ArrayView<float> momentumBuffer, SgdScalars s)
    {
        for (int i = t; i < loop.Count; i += loop.Stride)
        {
            float p = value[i];
            float d = grad[i] + s.WeightDecay * p;
            if (s.WithMomentum != 0)
            {
                float b = s.FirstMomentumStep != 0 ? d : momentumBuffer[i] * s.Keep + d * s.Take;
                momentumBuffer[i] = b;
                d = s.Nesterov != 0 ? d + s.Look * b : b;
            }
            value[i] = p + s.NegativeLearningRate * d;
        }
    }

    internal static void AdamKernel(Index1D t, Loop loop, ArrayView<float> value, ArrayView<float> grad, ArrayView<float> expAvg, ArrayView<float> expAvgSq,
        ArrayView<float> maxExpAvgSq, AdamScalars scalars)
    {
        var s = scalars.Step;
        for (int i = t; i < loop.Count; i += loop.Stride)
        {
            float p = value[i];
            float g = grad[i] + s.L2 * p;
            p *= s.Decay;
            float m = expAvg[i] * s.Beta1 + g * s.OneMinusBeta1;
            float v = expAvgSq[i] * s.Beta2 + g * g * s.OneMinusBeta2;
            float vHat = v;
            if (scalars.AmsGrad != 0)
            {
                float previous = maxExpAvgSq[i];
                vHat = previous > v || float.IsNaN(previous) ? previous : v;
                maxExpAvgSq[i] = vHat;
            }
            float d = MathF.Sqrt(vHat) / s.SqrtBias2 + s.Epsilon;
            if (s.GradScale != 0f)
                p += s.GradScale * (g / d);
            value[i] = p + s.MomentScale * (m / d);
            expAvg[i] = m;
            expAvgSq[i] = v;
        }
    }

    internal static void AdadeltaKernel(Index1D t, Loop loop, ArrayView<float> value, ArrayView<float> grad, ArrayView<float> squareAvg, ArrayView<float> accDelta, AdadeltaStep s)
    {
        for (int i = t; i < loop.Count; i += loop.Stride)
        {
            float p = value[i];
            float g = grad[i] + s.WeightDecay * p;
            float sq = squareAvg[i] * s.Rho + g * g * s.OneMinusRho;
            float a = accDelta[i];
            float delta = MathF.Sqrt(a + s.Epsilon) / MathF.Sqrt(sq + s.Epsilon) * g;
            accDelta[i] = a * s.Rho + delta * delta * s.OneMinusRho;
            squareAvg[i] = sq;
            value[i] = p + s.NegativeLearningRate * delta;
        }
    }

    // partials[t] = the sum of squares of x over the elements t, t + partials, ...
    internal static void SquarePartialsKernel(Index1D index, Loop loop, ArrayView<float> x, ArrayView<double> partials, int length, int stride)
    {
        for (int t = index; t < loop.Count; t += loop.Stride)
        {
            double sum = 0;
            for (int e = t; e < length; e += stride)
                sum += (double)x[e] * x[e];
            partials[t] = sum;
        }
    }

    internal static void NormsKernel(Index1D index, Loop loop, ArrayView<double> partials, ArrayView<float> norms, int perNorm)
    {
        for (int i = index; i < loop.Count; i += loop.Stride)
        {
            double sum = 0;
            for (int t = 0; t < perNorm; t++)
                sum += partials[i * perNorm + t];
            norms[i] = (float)Math.Sqrt(sum);
        }
    }
}

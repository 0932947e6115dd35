using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MlNetDigits.Engine.Optim;

/// <summary>
/// Adadelta (Zeiler, 2012) as PyTorch 1.13's <c>torch.optim.Adadelta</c>: g += wd * p; s = rho * s + (1 - rho) * g^2;
/// delta = sqrt(a + eps) / sqrt(s + eps) * g; a = rho * a + (1 - rho) * delta^2; p -= lr * delta.
/// </summary>
public sealed class Adadelta : Optimizer
{
    private readonly float[][] _squareAvg; // s per parameter
    private readonly float[][] _accDelta;  // a per parameter

    /// <summary>PyTorch's defaults: lr 1.0, rho 0.9, eps 1e-6, no weight decay.</summary>
    public Adadelta(IReadOnlyList<Parameter> parameters, double learningRate = 1.0, double rho = 0.9, double epsilon = 1e-6,
        double weightDecay = 0) : base(parameters, learningRate)
    {
        if (!(rho >= 0 && rho <= 1))
            throw new ArgumentOutOfRangeException(nameof(rho), $"Rho must be in [0, 1]; got {rho}.");
        if (!(epsilon >= 0))
            throw new ArgumentOutOfRangeException(nameof(epsilon), $"Epsilon must be >= 0; got {epsilon}.");
        if (!(weightDecay >= 0))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), $"Weight decay must be >= 0; got {weightDecay}.");
        Rho = rho;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        _squareAvg = AddState("square_avg");
        _accDelta = AddState("acc_delta");
    }

    public override OptimizerKind Kind => OptimizerKind.Adadelta;

    /// <summary>PyTorch <c>rho</c>: decay of both running averages.</summary>
    public double Rho { get; }

    /// <summary>PyTorch <c>eps</c>, inside both square roots.</summary>
    public double Epsilon { get; }

    /// <summary>PyTorch <c>weight_decay</c>: L2 added to the gradient.</summary>
    public double WeightDecay { get; }

    protected override void Update(int index, Span<float> value, ReadOnlySpan<float> grad)
    {
        float wd = (float)WeightDecay, rho = (float)Rho, oneMinusRho = (float)(1 - Rho), eps = (float)Epsilon;
        float negLr = (float)-LearningRate;
        ref float p = ref MemoryMarshal.GetReference(value);
        ref float g = ref MemoryMarshal.GetReference(grad);
        ref float s = ref MemoryMarshal.GetArrayDataReference(_squareAvg[index]);
        ref float a = ref MemoryMarshal.GetArrayDataReference(_accDelta[index]);
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

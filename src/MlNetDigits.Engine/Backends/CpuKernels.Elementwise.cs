using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MlNetDigits.Engine.Backends;

// Batch normalisation, dropout and the softmax cross-entropy loss: small, memory-bound passes that run on the calling
// thread; behind IKernels like the rest, so that a backend on another device owns all the arithmetic of a training step.
public sealed unsafe partial class CpuKernels
{
    public void BatchNormForward(ReadOnlySpan<float> x, int batch, int channels, int plane, bool training, double eps, double momentum,
        Span<float> runningMean, Span<float> runningVar, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        Span<float> mean, Span<float> invStd, Span<float> normalized, Span<float> y)
    {
        long count = (long)batch * plane;
        Require(x.Length, count * channels, "BatchNormForward x");
        Require(normalized.Length, x.Length, "BatchNormForward normalized");
        Require(y.Length, x.Length, "BatchNormForward y");
        Require(runningMean.Length, channels, "BatchNormForward runningMean");
        Require(runningVar.Length, channels, "BatchNormForward runningVar");
        Require(gamma.Length, channels, "BatchNormForward gamma");
        Require(beta.Length, channels, "BatchNormForward beta");
        Require(mean.Length, channels, "BatchNormForward mean");
        Require(invStd.Length, channels, "BatchNormForward invStd");
        for (int ch = 0; ch < channels; ch++)
        {
            double m, variance;
            if (training)
            {
                double sum = 0, sumSq = 0;
                for (int i = 0; i < batch; i++)
                    foreach (var v in x.Slice((i * channels + ch) * plane, plane))
                        sum += v;
                m = sum / count;
                for (int i = 0; i < batch; i++)
                    foreach (var v in x.Slice((i * channels + ch) * plane, plane))
                        sumSq += (v - m) * (v - m);
                variance = sumSq / count;
                runningMean[ch] = (float)((1 - momentum) * runningMean[ch] + momentum * m);
                runningVar[ch] = (float)((1 - momentum) * runningVar[ch] + momentum * variance * count / (count - 1));
            }
            else
            {
                m = runningMean[ch];
                variance = runningVar[ch];
            }
            float mf = (float)m, inv = (float)(1.0 / Math.Sqrt(variance + eps));
            mean[ch] = mf;
            invStd[ch] = inv;
            float g = gamma[ch], b = beta[ch];
            for (int i = 0; i < batch; i++)
            {
                int offset = (i * channels + ch) * plane;
                for (int j = offset; j < offset + plane; j++)
                {
                    float h = (x[j] - mf) * inv;
                    normalized[j] = h;
                    y[j] = h * g + b;
                }
            }
        }
    }

    public void BatchNormBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> normalized, int batch, int channels, int plane, bool batchStatistics,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> invStd, Span<float> gammaGrad, Span<float> betaGrad, Span<float> inputGrad)
    {
        Require(dy.Length, (long)batch * channels * plane, "BatchNormBackward dy");
        Require(normalized.Length, dy.Length, "BatchNormBackward normalized");
        if (!inputGrad.IsEmpty)
            Require(inputGrad.Length, dy.Length, "BatchNormBackward inputGrad");
        Require(gamma.Length, channels, "BatchNormBackward gamma");
        Require(invStd.Length, channels, "BatchNormBackward invStd");
        Require(gammaGrad.Length, channels, "BatchNormBackward gammaGrad");
        Require(betaGrad.Length, channels, "BatchNormBackward betaGrad");
        double count = (double)batch * plane;
        for (int ch = 0; ch < channels; ch++)
        {
            double sumDy = 0, sumDyXhat = 0;
            for (int i = 0; i < batch; i++)
            {
                int offset = (i * channels + ch) * plane;
                for (int j = offset; j < offset + plane; j++)
                {
                    sumDy += dy[j];
                    sumDyXhat += dy[j] * normalized[j];
                }
            }
            gammaGrad[ch] += (float)sumDyXhat;
            betaGrad[ch] += (float)sumDy;
            if (inputGrad.IsEmpty)
                continue;
            float scale = gamma[ch] * invStd[ch];
            if (batchStatistics)
            {
                // dx = gamma / sigma * (dy - mean(dy) - xhat * mean(dy * xhat))
                float meanDy = (float)(sumDy / count), meanDyXhat = (float)(sumDyXhat / count);
                for (int i = 0; i < batch; i++)
                {
                    int offset = (i * channels + ch) * plane;
                    for (int j = offset; j < offset + plane; j++)
                        inputGrad[j] = scale * (dy[j] - meanDy - normalized[j] * meanDyXhat);
                }
            }
            else
            {
                for (int i = 0; i < batch; i++)
                {
                    int offset = (i * channels + ch) * plane;
                    for (int j = offset; j < offset + plane; j++)
                        inputGrad[j] = scale * dy[j];
                }
            }
        }
    }

    public void DropoutMask(Span<float> mask, float p, float keep)
    {
        // mask[i] = u[i] < p ? 0 : keep, selected with vector compares rather than an unpredictable branch per element.
        int i = 0;
        var pv = Vector256.Create(p);
        var kv = Vector256.Create(keep);
        ref float start = ref MemoryMarshal.GetReference(mask);
        for (; i <= mask.Length - Vector256<float>.Count; i += Vector256<float>.Count)
        {
            var u = Vector256.LoadUnsafe(ref start, (nuint)i);
            Vector256.ConditionalSelect(Vector256.LessThan(u, pv), Vector256<float>.Zero, kv).StoreUnsafe(ref start, (nuint)i);
        }
        for (; i < mask.Length; i++)
            mask[i] = mask[i] < p ? 0f : keep;
    }

    public void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> result)
    {
        Require(b.Length, a.Length, "Multiply b");
        Require(result.Length, a.Length, "Multiply result");
        TensorPrimitives.Multiply(a, b, result);
    }

    public double SoftmaxCrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int classes, double labelSmoothing, Span<float> probabilities)
    {
        int n = targets.Length, k = classes;
        Require(logits.Length, (long)n * k, "SoftmaxCrossEntropy logits");
        Require(probabilities.Length, logits.Length, "SoftmaxCrossEntropy probabilities");
        double total = 0, e = labelSmoothing;
        for (int i = 0; i < n; i++)
        {
            int t = targets[i];
            var row = logits.Slice(i * k, k);
            float max = TensorPrimitives.Max(row);
            double sumExp = 0;
            for (int j = 0; j < k; j++)
                sumExp += Math.Exp(row[j] - max);
            double logSum = Math.Log(sumExp) + max;
            double sumLogP = 0;
            for (int j = 0; j < k; j++)
            {
                double logP = row[j] - logSum;
                probabilities[i * k + j] = (float)Math.Exp(logP);
                sumLogP += logP;
            }
            double nll = logSum - row[t];
            total += (1 - e) * nll - e * sumLogP / k;
        }
        return total / n;
    }

    public void SoftmaxCrossEntropyBackward(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> targets, int classes, double labelSmoothing, Span<float> logitsGrad)
    {
        int n = targets.Length, k = classes;
        Require(probabilities.Length, (long)n * k, "SoftmaxCrossEntropyBackward probabilities");
        Require(logitsGrad.Length, probabilities.Length, "SoftmaxCrossEntropyBackward logitsGrad");
        float e = (float)labelSmoothing, invN = 1f / n, uniform = e / k;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < k; j++)
                logitsGrad[i * k + j] = (probabilities[i * k + j] - uniform) * invN;
            logitsGrad[i * k + targets[i]] -= (1 - e) * invN;
        }
    }
}

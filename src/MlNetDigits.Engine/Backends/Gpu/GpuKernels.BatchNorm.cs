using ILGPU;
using ILGPU.Runtime;

namespace MlNetDigits.Engine.Backends;

// Batch normalisation and the other per-channel sums over (N, C, P) data, in two stages without atomics: Partials
// interleaved partial sums per channel, each adding every Partials-th element in double (neighbouring threads read
// neighbouring elements), then per channel its partials in order. Same device, same sums, bit for bit.
public sealed partial class GpuKernels
{
    private Action<Index1D, Loop, ArrayView<float>, ArrayView<double>, ChannelShape>? _channelPartials;
    private Action<Index1D, Loop, ArrayView<float>, ArrayView<double>, ArrayView<double>, ChannelShape>? _deviationPartials;
    private Action<Index1D, Loop, ArrayView<double>, ArrayView<double>, ChannelShape>? _channelMean;
    private Action<Index1D, Loop, ArrayView<double>, ArrayView<float>, ChannelShape>? _addChannelSums;
    private Action<Index1D, Loop, ArrayView<double>, ArrayView<double>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormScalars>? _finishStatistics;
    private Action<Index1D, Loop, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, double>? _runningStatistics;
    private Action<Index1D, Loop, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ChannelShape>? _normalize;
    private Action<Index1D, Loop, ArrayView<float>, ArrayView<float>, ArrayView<double>, ChannelShape>? _backwardPartials;
    private Action<Index1D, Loop, ArrayView<double>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ChannelShape>? _finishBackward;
    private Action<Index1D, Loop, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, ChannelShape>? _batchNormInputGrad;

    /// <summary>Data (N, C, P) seen per channel (Count = N * P elements), reduced through Partials partial sums per channel.</summary>
    internal readonly record struct ChannelShape(int Batch, int Channels, int Plane, int Partials)
    {
        public long Count => (long)Batch * Plane;
    }

    /// <summary>The batch-norm forward's scalars.</summary>
    internal readonly record struct BatchNormScalars(ChannelShape Shape, double Eps, double Momentum);

    public void BatchNormForward(Tensor x, int batch, int channels, int plane, bool training, double eps, double momentum,
        Tensor runningMean, Tensor runningVar, Tensor gamma, Tensor beta, Tensor mean, Tensor invStd, Tensor normalized, Tensor y)
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
        if (channels == 0)
            return;
        var shape = new ChannelShape(batch, channels, plane, _partials);
        var perChannel = LoopOver(channels);
        if (training)
        {
            var partials = Scratch(ref _partialSums, (long)channels * _partials);
            var channelMean = Scratch(ref _rowScratch, channels);
            ChannelPartials(View(x), partials, shape);
            _channelMean ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<double>, ArrayView<double>, ChannelShape>(ChannelMeanKernel);
            _channelMean(perChannel.Stride, perChannel, partials, channelMean, shape);
            _deviationPartials ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<double>, ArrayView<double>, ChannelShape>(DeviationPartialsKernel);
            var perPartial = LoopOver((long)channels * _partials);
            _deviationPartials(perPartial.Stride, perPartial, View(x), channelMean, partials, shape);
            _finishStatistics ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<double>, ArrayView<double>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormScalars>(FinishStatisticsKernel);
            _finishStatistics(perChannel.Stride, perChannel, partials, channelMean, View(runningMean), View(runningVar), View(mean), View(invStd), new BatchNormScalars(shape, eps, momentum));
        }
        else
        {
            _runningStatistics ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, double>(RunningStatisticsKernel);
            _runningStatistics(perChannel.Stride, perChannel, View(runningMean), View(runningVar), View(mean), View(invStd), eps);
        }
        if (x.Length == 0)
            return;
        _normalize ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ChannelShape>(NormalizeKernel);
        var loop = LoopOver(x.Length);
        _normalize(loop.Stride, loop, View(x), View(mean), View(invStd), View(gamma), View(beta), View(normalized), View(y), shape);
    }

    public void BatchNormBackward(Tensor dy, Tensor normalized, int batch, int channels, int plane, bool batchStatistics,
        Tensor gamma, Tensor invStd, Tensor gammaGrad, Tensor betaGrad, Tensor? inputGrad)
    {
        Require(dy.Length, (long)batch * channels * plane, "BatchNormBackward dy");
        Require(normalized.Length, dy.Length, "BatchNormBackward normalized");
        if (inputGrad is not null)
            Require(inputGrad.Length, dy.Length, "BatchNormBackward inputGrad");
        Require(gamma.Length, channels, "BatchNormBackward gamma");
        Require(invStd.Length, channels, "BatchNormBackward invStd");
        Require(gammaGrad.Length, channels, "BatchNormBackward gammaGrad");
        Require(betaGrad.Length, channels, "BatchNormBackward betaGrad");
        if (channels == 0)
            return;
        var shape = new ChannelShape(batch, channels, plane, _partials);
        var partials = Scratch(ref _partialSums, 2L * channels * _partials);
        var coefficients = Scratch(ref _floatScratch, 2L * channels);
        _backwardPartials ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<float>, ArrayView<double>, ChannelShape>(BackwardPartialsKernel);
        var perPartial = LoopOver((long)channels * _partials);
        _backwardPartials(perPartial.Stride, perPartial, View(dy), View(normalized), partials, shape);
        _finishBackward ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<double>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ChannelShape>(FinishBackwardKernel);
        var perChannel = LoopOver(channels);
        _finishBackward(perChannel.Stride, perChannel, partials, View(gammaGrad), View(betaGrad), coefficients, shape);
        if (inputGrad is null || dy.Length == 0)
            return;
        _batchNormInputGrad ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, ChannelShape>(BatchNormInputGradKernel);
        var loop = LoopOver(dy.Length);
        _batchNormInputGrad(loop.Stride, loop, View(dy), View(normalized), View(gamma), View(invStd), coefficients, View(inputGrad), batchStatistics ? 1 : 0, shape);
    }

    /// <summary>sums[c] += the sum over n and p of x[n, c, p] (a convolution's bias gradient).</summary>
    private void AccumulateChannelSums(ArrayView<float> x, int batch, int channels, int plane, ArrayView<float> sums)
    {
        var shape = new ChannelShape(batch, channels, plane, _partials);
        var partials = Scratch(ref _partialSums, (long)channels * _partials);
        ChannelPartials(x, partials, shape);
        _addChannelSums ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<double>, ArrayView<float>, ChannelShape>(AddChannelSumsKernel);
        var perChannel = LoopOver(channels);
        _addChannelSums(perChannel.Stride, perChannel, partials, sums, shape);
    }

    private void ChannelPartials(ArrayView<float> x, ArrayView<double> partials, ChannelShape shape)
    {
        _channelPartials ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<double>, ChannelShape>(ChannelPartialsKernel);
        var loop = LoopOver((long)shape.Channels * shape.Partials);
        _channelPartials(loop.Stride, loop, x, partials, shape);
    }

    // The element e of channel c (e in 0..N*P-1, n-major) sits at x[(n * C + c) * P + p].
    private static int At(long e, int c, ChannelShape s)
    {
        int n = (int)(e / s.Plane), p = (int)(e - (long)n * s.Plane);
        return (n * s.Channels + c) * s.Plane + p;
    }

    // partials[c, t] = the sum of x over the elements t, t + Partials, ... of channel c.
    internal static void ChannelPartialsKernel(Index1D index, Loop loop, ArrayView<float> x, ArrayView<double> partials, ChannelShape s)
    {
        for (int i = index; i < loop.Count; i += loop.Stride)
        {
            int c = i / s.Partials, t = i - c * s.Partials;
            double sum = 0;
            for (long e = t; e < s.Count; e += s.Partials)
                sum += x[At(e, c, s)];
            partials[i] = sum;
        }
    }

    internal static void ChannelMeanKernel(Index1D index, Loop loop, ArrayView<double> partials, ArrayView<double> mean, ChannelShape s)
    {
        for (int c = index; c < loop.Count; c += loop.Stride)
        {
            double sum = 0;
            for (int t = 0; t < s.Partials; t++)
                sum += partials[c * s.Partials + t];
            mean[c] = sum / s.Count;
        }
    }

    internal static void DeviationPartialsKernel(Index1D index, Loop loop, ArrayView<float> x, ArrayView<double> mean, ArrayView<double> partials, ChannelShape s)
    {
        for (int i = index; i < loop.Count; i += loop.Stride)
        {
            int c = i / s.Partials, t = i - c * s.Partials;
            double m = mean[c], sum = 0;
            for (long e = t; e < s.Count; e += s.Partials)
            {
                double d = x[At(e, c, s)] - m;
                sum += d * d;
            }
            partials[i] = sum;
        }
    }

    // The biased variance normalises; the running statistics take the unbiased one, as PyTorch.
    internal static void FinishStatisticsKernel(Index1D index, Loop loop, ArrayView<double> partials, ArrayView<double> channelMean, ArrayView<float> runningMean,
        ArrayView<float> runningVar, ArrayView<float> mean, ArrayView<float> invStd, BatchNormScalars scalars)
    {
        var s = scalars.Shape;
        for (int c = index; c < loop.Count; c += loop.Stride)
        {
            double sum = 0;
            for (int t = 0; t < s.Partials; t++)
                sum += partials[c * s.Partials + t];
            double m = channelMean[c], variance = sum / s.Count, momentum = scalars.Momentum;
            runningMean[c] = (float)((1 - momentum) * runningMean[c] + momentum * m);
            runningVar[c] = (float)((1 - momentum) * runningVar[c] + momentum * variance * s.Count / (s.Count - 1));
            mean[c] = (float)m;
            invStd[c] = (float)(1.0 / Math.Sqrt(variance + scalars.Eps));
        }
    }

    internal static void RunningStatisticsKernel(Index1D index, Loop loop, ArrayView<float> runningMean, ArrayView<float> runningVar, ArrayView<float> mean, ArrayView<float> invStd, double eps)
    {
        for (int c = index; c < loop.Count; c += loop.Stride)
        {
            mean[c] = runningMean[c];
            invStd[c] = (float)(1.0 / Math.Sqrt(runningVar[c] + eps));
        }
    }

    internal static void NormalizeKernel(Index1D index, Loop loop, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> invStd, ArrayView<float> gamma,
        ArrayView<float> beta, ArrayView<float> normalized, ArrayView<float> y, ChannelShape s)
    {
        for (int i = index; i < loop.Count; i += loop.Stride)
        {
            int c = i / s.Plane % s.Channels;
            float h = (x[i] - mean[c]) * invStd[c];
            normalized[i] = h;
            y[i] = h * gamma[c] + beta[c];
        }
    }

    // partials[0, c, t] = the partial sum of dy, partials[1, c, t] that of dy * x-hat (the float product, as the CPU).
    internal static void BackwardPartialsKernel(Index1D index, Loop loop, ArrayView<float> dy, ArrayView<float> normalized, ArrayView<double> partials, ChannelShape s)
    {
        for (int i = index; i < loop.Count; i += loop.Stride)
        {
            int c = i / s.Partials, t = i - c * s.Partials;
            double sumDy = 0, sumDyXhat = 0;
            for (long e = t; e < s.Count; e += s.Partials)
            {
                int at = At(e, c, s);
                sumDy += dy[at];
                sumDyXhat += dy[at] * normalized[at];
            }
            partials[i] = sumDy;
            partials[loop.Count + i] = sumDyXhat;
        }
    }

    // gammaGrad += sum dy x-hat, betaGrad += sum dy; coefficients = (mean dy, mean dy x-hat) for the input gradient.
    internal static void FinishBackwardKernel(Index1D index, Loop loop, ArrayView<double> partials, ArrayView<float> gammaGrad, ArrayView<float> betaGrad,
        ArrayView<float> coefficients, ChannelShape s)
    {
        int second = s.Channels * s.Partials;
        for (int c = index; c < loop.Count; c += loop.Stride)
        {
            double sumDy = 0, sumDyXhat = 0;
            for (int t = 0; t < s.Partials; t++)
            {
                sumDy += partials[c * s.Partials + t];
                sumDyXhat += partials[second + c * s.Partials + t];
            }
            gammaGrad[c] = gammaGrad[c] + (float)sumDyXhat;
            betaGrad[c] = betaGrad[c] + (float)sumDy;
            coefficients[c] = (float)(sumDy / s.Count);
            coefficients[s.Channels + c] = (float)(sumDyXhat / s.Count);
        }
    }

    // dx = gamma / sigma * (dy - mean(dy) - x-hat * mean(dy x-hat)) with batch statistics, else gamma / sigma * dy.
    internal static void BatchNormInputGradKernel(Index1D index, Loop loop, ArrayView<float> dy, ArrayView<float> normalized, ArrayView<float> gamma, ArrayView<float> invStd,
        ArrayView<float> coefficients, ArrayView<float> dx, int batchStatistics, ChannelShape s)
    {
        for (int i = index; i < loop.Count; i += loop.Stride)
        {
            int c = i / s.Plane % s.Channels;
            float scale = gamma[c] * invStd[c];
            dx[i] = batchStatistics != 0 ? scale * (dy[i] - coefficients[c] - normalized[i] * coefficients[s.Channels + c]) : scale * dy[i];
        }
    }

    internal static void AddChannelSumsKernel(Index1D index, Loop loop, ArrayView<double> partials, ArrayView<float> sums, ChannelShape s)
    {
        for (int c = index; c < loop.Count; c += loop.Stride)
        {
            double sum = 0;
            for (int t = 0; t < s.Partials; t++)
                sum += partials[c * s.Partials + t];
            sums[c] = sums[c] + (float)sum;
        }
    }
}

namespace MlNetDigits.Engine.Backends;

// IKernels on tensors: the CPU backend's tensors are host arrays, so each member hands their arrays to the span kernel
// of the same name. A device tensor passed here throws (Tensor.Data says where it lives).
public sealed partial class CpuKernels
{
    public TensorDevice? Device => null;

    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, Tensor a, int lda, Tensor b, int ldb, float beta, Tensor c, int ldc)
        => Gemm(transA, transB, m, n, k, alpha, a.Data, lda, b.Data, ldb, beta, c.Data, ldc);

    public void Im2Col(Tensor input, ConvGeometry g, Tensor columns) => Im2Col(input.Data, g, columns.Data);

    public void Col2Im(Tensor columns, ConvGeometry g, Tensor inputGrad) => Col2Im(columns.Data, g, inputGrad.Data);

    public void Conv2dForward(Tensor input, ConvGeometry g, Tensor weight, int outChannels, Tensor? bias, Tensor output)
        => Conv2dForward(input.Data, g, weight.Data, outChannels, bias is null ? default : bias.Data, output.Data);

    public void Conv2dBackward(Tensor input, ConvGeometry g, Tensor weight, int outChannels, Tensor outputGrad,
        Tensor weightGrad, Tensor? biasGrad, Tensor? inputGrad)
        => Conv2dBackward(input.Data, g, weight.Data, outChannels, outputGrad.Data, weightGrad.Data,
            biasGrad is null ? default : biasGrad.Data, inputGrad is null ? default : inputGrad.Data);

    public void MaxPool2d(Tensor input, ConvGeometry g, Tensor output, IntTensor? argmax)
        => MaxPool2d(input.Data, g, output.Data, argmax is null ? default : argmax.Data);

    public void MaxPool2dBackward(Tensor outputGrad, IntTensor argmax, ConvGeometry g, Tensor inputGrad)
        => MaxPool2dBackward(outputGrad.Data, argmax.Data, g, inputGrad.Data);

    public void AvgPool2d(Tensor input, ConvGeometry g, Tensor output) => AvgPool2d(input.Data, g, output.Data);

    public void AvgPool2dBackward(Tensor outputGrad, ConvGeometry g, Tensor inputGrad) => AvgPool2dBackward(outputGrad.Data, g, inputGrad.Data);

    public void Relu(Tensor x, Tensor y) => Relu(x.Data, y.Data);

    public void ReluBackward(Tensor y, Tensor dy, Tensor dx) => ReluBackward(y.Data, dy.Data, dx.Data);

    public void AddRowVector(Tensor matrix, int rows, int cols, Tensor vector) => AddRowVector(matrix.Data, rows, cols, vector.Data);

    public void AccumulateColumnSums(Tensor matrix, int rows, int cols, Tensor sums) => AccumulateColumnSums(matrix.Data, rows, cols, sums.Data);

    public void AccumulateRowSums(Tensor matrix, int rows, int cols, Tensor sums) => AccumulateRowSums(matrix.Data, rows, cols, sums.Data);

    public void BatchNormForward(Tensor x, int batch, int channels, int plane, bool training, double eps, double momentum,
        Tensor runningMean, Tensor runningVar, Tensor gamma, Tensor beta, Tensor mean, Tensor invStd, Tensor normalized, Tensor y)
        => BatchNormForward(x.Data, batch, channels, plane, training, eps, momentum, runningMean.Data, runningVar.Data, gamma.Data, beta.Data,
            mean.Data, invStd.Data, normalized.Data, y.Data);

    public void BatchNormBackward(Tensor dy, Tensor normalized, int batch, int channels, int plane, bool batchStatistics,
        Tensor gamma, Tensor invStd, Tensor gammaGrad, Tensor betaGrad, Tensor? inputGrad)
        => BatchNormBackward(dy.Data, normalized.Data, batch, channels, plane, batchStatistics, gamma.Data, invStd.Data, gammaGrad.Data,
            betaGrad.Data, inputGrad is null ? default : inputGrad.Data);

    public void DropoutMask(Tensor mask, float p, float keep) => DropoutMask(mask.Data, p, keep);

    public void Multiply(Tensor a, Tensor b, Tensor result) => Multiply(a.Data, b.Data, result.Data);

    public double SoftmaxCrossEntropy(Tensor logits, IntTensor targets, int classes, double labelSmoothing, Tensor probabilities)
        => SoftmaxCrossEntropy(logits.Data, targets.Data, classes, labelSmoothing, probabilities.Data);

    public void SoftmaxCrossEntropyBackward(Tensor probabilities, IntTensor targets, int classes, double labelSmoothing, Tensor logitsGrad)
        => SoftmaxCrossEntropyBackward(probabilities.Data, targets.Data, classes, labelSmoothing, logitsGrad.Data);

    public void SgdUpdate(Tensor value, Tensor grad, Tensor momentumBuffer, in SgdStep step)
    {
        Require(grad.Length, value.Length, "SgdUpdate grad");
        Require(momentumBuffer.Length, value.Length, "SgdUpdate momentumBuffer");
        SgdUpdate(value.Data, grad.Data, momentumBuffer.Data, step);
    }

    public void AdamUpdate(Tensor value, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor? maxExpAvgSq, in AdamStep step)
    {
        Require(grad.Length, value.Length, "AdamUpdate grad");
        Require(expAvg.Length, value.Length, "AdamUpdate expAvg");
        Require(expAvgSq.Length, value.Length, "AdamUpdate expAvgSq");
        if (maxExpAvgSq is not null)
            Require(maxExpAvgSq.Length, value.Length, "AdamUpdate maxExpAvgSq");
        AdamUpdate(value.Data, grad.Data, expAvg.Data, expAvgSq.Data, maxExpAvgSq?.Data, step);
    }

    public void AdadeltaUpdate(Tensor value, Tensor grad, Tensor squareAvg, Tensor accDelta, in AdadeltaStep step)
    {
        Require(grad.Length, value.Length, "AdadeltaUpdate grad");
        Require(squareAvg.Length, value.Length, "AdadeltaUpdate squareAvg");
        Require(accDelta.Length, value.Length, "AdadeltaUpdate accDelta");
        AdadeltaUpdate(value.Data, grad.Data, squareAvg.Data, accDelta.Data, step);
    }

    public void GradientNorms(IReadOnlyList<Parameter> parameters, Span<float> norms)
    {
        Require(norms.Length, parameters.Count, "GradientNorms norms");
        for (int i = 0; i < parameters.Count; i++)
            norms[i] = System.Numerics.Tensors.TensorPrimitives.Norm<float>(parameters[i].Grad.Data);
    }

    public void Scale(Tensor x, float factor) => System.Numerics.Tensors.TensorPrimitives.Multiply(x.Data, factor, x.Data);
}

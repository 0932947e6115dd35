namespace MlNetDigits.Engine.Backends;

/// <summary>
/// The numeric kernels layers, losses and optimizers are written against. Every tensor passed in lives where the backend
/// keeps tensors (<see cref="Device"/>: host arrays for the CPU backends, device memory for the GPU one), so a training
/// step copies nothing between host and device beyond the input batch, the targets and the loss. A backend owns its
/// threads (or device queue); every method is deterministic for a given thread count. Matrices are row-major;
/// "channel-major" means (C, N * plane), the layout GEMM-based convolution works in.
/// </summary>
public interface IKernels
{
    /// <summary>Which implementation is in use.</summary>
    BackendKind Kind { get; }

    /// <summary>Threads the backend splits work across (1 for a device backend: the device does the splitting).</summary>
    int Threads { get; }

    /// <summary>A human-readable line: the GEMM implementation, its library/build and thread count, or the device.</summary>
    string Description { get; }

    /// <summary>Where this backend's tensors live: null for host memory (the CPU backends), else its device.</summary>
    TensorDevice? Device { get; }

    /// <summary>Row-major C(m, n) = alpha op(A)(m, k) op(B)(k, n) + beta C, where op transposes when asked.</summary>
    void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, Tensor a, int lda, Tensor b, int ldb, float beta, Tensor c, int ldc);

    /// <summary>Unfolds input (N, C, H, W) into columns (C * K * K, N * OH * OW), zero where the window hits padding.</summary>
    void Im2Col(Tensor input, ConvGeometry g, Tensor columns);

    /// <summary>Folds columns (C * K * K, N * OH * OW) back into inputGrad (N, C, H, W), summing overlaps (overwrites inputGrad).</summary>
    void Col2Im(Tensor columns, ConvGeometry g, Tensor inputGrad);

    /// <summary>output (N, Out, OH, OW) = conv(input (N, C, H, W), weight (Out, C, K, K)) + bias (Out; null for none).</summary>
    void Conv2dForward(Tensor input, ConvGeometry g, Tensor weight, int outChannels, Tensor? bias, Tensor output);

    /// <summary>
    /// Convolution backward for outputGrad (N, Out, OH, OW): weightGrad += dL/dW, biasGrad += dL/db (skipped when null),
    /// inputGrad = dL/dx (overwritten; skipped when null).
    /// </summary>
    void Conv2dBackward(Tensor input, ConvGeometry g, Tensor weight, int outChannels, Tensor outputGrad,
        Tensor weightGrad, Tensor? biasGrad, Tensor? inputGrad);

    /// <summary>
    /// Max pooling of input (N, C, H, W) into output (N, C, OH, OW); argmax records each maximum's index into input, or is
    /// null when no backward pass will follow (inference skips the bookkeeping).
    /// </summary>
    void MaxPool2d(Tensor input, ConvGeometry g, Tensor output, IntTensor? argmax);

    /// <summary>inputGrad (overwritten) = outputGrad scattered to the argmax positions.</summary>
    void MaxPool2dBackward(Tensor outputGrad, IntTensor argmax, ConvGeometry g, Tensor inputGrad);

    /// <summary>Average pooling (padding counted as zeros, as PyTorch's count_include_pad=True).</summary>
    void AvgPool2d(Tensor input, ConvGeometry g, Tensor output);

    /// <summary>inputGrad (overwritten) = each output gradient spread evenly over its window.</summary>
    void AvgPool2dBackward(Tensor outputGrad, ConvGeometry g, Tensor inputGrad);

    /// <summary>y = max(x, 0).</summary>
    void Relu(Tensor x, Tensor y);

    /// <summary>dx = dy where y &gt; 0, else 0.</summary>
    void ReluBackward(Tensor y, Tensor dy, Tensor dx);

    /// <summary>matrix(rows, cols) += vector(cols) broadcast over rows.</summary>
    void AddRowVector(Tensor matrix, int rows, int cols, Tensor vector);

    /// <summary>sums(cols) += the column sums of matrix(rows, cols).</summary>
    void AccumulateColumnSums(Tensor matrix, int rows, int cols, Tensor sums);

    /// <summary>sums(rows) += the row sums of matrix(rows, cols).</summary>
    void AccumulateRowSums(Tensor matrix, int rows, int cols, Tensor sums);

    /// <summary>
    /// Batch normalisation of x (N, C, P): in training the per-channel batch mean and biased variance (accumulated in
    /// double) are used and the running statistics updated (r = (1 - momentum) r + momentum * value, the variance
    /// unbiased); otherwise the running statistics are used. Writes mean and invStd = 1 / sqrt(var + eps) per channel,
    /// normalized = (x - mean) * invStd and y = normalized * gamma + beta.
    /// </summary>
    void BatchNormForward(Tensor x, int batch, int channels, int plane, bool training, double eps, double momentum,
        Tensor runningMean, Tensor runningVar, Tensor gamma, Tensor beta, Tensor mean, Tensor invStd, Tensor normalized, Tensor y);

    /// <summary>
    /// Batch normalisation backward: gammaGrad += sum of dy * normalized, betaGrad += sum of dy per channel; inputGrad
    /// (overwritten; skipped when null) through the batch statistics when <paramref name="batchStatistics"/>, else
    /// gamma * invStd * dy.
    /// </summary>
    void BatchNormBackward(Tensor dy, Tensor normalized, int batch, int channels, int plane, bool batchStatistics,
        Tensor gamma, Tensor invStd, Tensor gammaGrad, Tensor betaGrad, Tensor? inputGrad);

    /// <summary>Turns uniforms on [0, 1) into an inverted-dropout mask in place: 0 where u &lt; p, else keep.</summary>
    void DropoutMask(Tensor mask, float p, float keep);

    /// <summary>result = a * b, element by element.</summary>
    void Multiply(Tensor a, Tensor b, Tensor result);

    /// <summary>
    /// The mean over rows of the label-smoothed cross-entropy of softmax(logits (N, K)) against targets (N, already
    /// checked to lie in 0..K-1), fused with log-softmax; probabilities (N, K) receives the softmax. The loss comes back
    /// to the host: the one value a training step reads.
    /// </summary>
    double SoftmaxCrossEntropy(Tensor logits, IntTensor targets, int classes, double labelSmoothing, Tensor probabilities);

    /// <summary>logitsGrad (N, K) = (probabilities - the smoothed target distribution) / N.</summary>
    void SoftmaxCrossEntropyBackward(Tensor probabilities, IntTensor targets, int classes, double labelSmoothing, Tensor logitsGrad);

    /// <summary>One SGD update of value from grad, momentumBuffer the same shape (see <see cref="SgdStep"/>).</summary>
    void SgdUpdate(Tensor value, Tensor grad, Tensor momentumBuffer, in SgdStep step);

    /// <summary>One Adam-family update; maxExpAvgSq is null unless AMSGrad (see <see cref="AdamStep"/>).</summary>
    void AdamUpdate(Tensor value, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor? maxExpAvgSq, in AdamStep step);

    /// <summary>One Adadelta update (see <see cref="AdadeltaStep"/>).</summary>
    void AdadeltaUpdate(Tensor value, Tensor grad, Tensor squareAvg, Tensor accDelta, in AdadeltaStep step);

    /// <summary>norms[i] = the L2 norm (in float) of parameters[i]'s gradient.</summary>
    void GradientNorms(IReadOnlyList<Parameter> parameters, Span<float> norms);

    /// <summary>x *= factor.</summary>
    void Scale(Tensor x, float factor);
}

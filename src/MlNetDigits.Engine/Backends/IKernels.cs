namespace MlNetDigits.Engine.Backends;

/// <summary>
/// The numeric kernels layers are written against. A backend owns its threads; every method is deterministic for a
/// given thread count. Matrices are row-major; "channel-major" means (C, N * plane), the layout GEMM-based
/// convolution works in.
/// </summary>
public interface IKernels
{
    /// <summary>Which GEMM implementation is in use.</summary>
    BackendKind Kind { get; }

    /// <summary>Threads the backend splits work across.</summary>
    int Threads { get; }

    /// <summary>A human-readable line: the GEMM implementation, its library/build and thread count.</summary>
    string Description { get; }

    /// <summary>Row-major C(m, n) = alpha op(A)(m, k) op(B)(k, n) + beta C, where op transposes when asked.</summary>
    void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc);

    /// <summary>Unfolds input (N, C, H, W) into columns (C * K * K, N * OH * OW), zero where the window hits padding.</summary>
    void Im2Col(ReadOnlySpan<float> input, ConvGeometry g, Span<float> columns);

    /// <summary>Folds columns (C * K * K, N * OH * OW) back into inputGrad (N, C, H, W), summing overlaps (overwrites inputGrad).</summary>
    void Col2Im(ReadOnlySpan<float> columns, ConvGeometry g, Span<float> inputGrad);

    /// <summary>output (N, Out, OH, OW) = conv(input (N, C, H, W), weight (Out, C, K, K)) + bias (Out; empty for none).</summary>
    void Conv2dForward(ReadOnlySpan<float> input, ConvGeometry g, ReadOnlySpan<float> weight, int outChannels, ReadOnlySpan<float> bias, Span<float> output);

    /// <summary>
    /// Convolution backward for outputGrad (N, Out, OH, OW): weightGrad += dL/dW, biasGrad += dL/db (skipped when empty),
    /// inputGrad = dL/dx (overwritten; skipped when empty).
    /// </summary>
    void Conv2dBackward(ReadOnlySpan<float> input, ConvGeometry g, ReadOnlySpan<float> weight, int outChannels, ReadOnlySpan<float> outputGrad,
        Span<float> weightGrad, Span<float> biasGrad, Span<float> inputGrad);

    /// <summary>
    /// Max pooling of input (N, C, H, W) into output (N, C, OH, OW); argmax records each maximum's index into input, or is
    /// empty when no backward pass will follow (inference skips the bookkeeping).
    /// </summary>
    void MaxPool2d(ReadOnlySpan<float> input, ConvGeometry g, Span<float> output, Span<int> argmax);

    /// <summary>inputGrad (overwritten) = outputGrad scattered to the argmax positions.</summary>
    void MaxPool2dBackward(ReadOnlySpan<float> outputGrad, ReadOnlySpan<int> argmax, ConvGeometry g, Span<float> inputGrad);

    /// <summary>Average pooling (padding counted as zeros, as PyTorch's count_include_pad=True).</summary>
    void AvgPool2d(ReadOnlySpan<float> input, ConvGeometry g, Span<float> output);

    /// <summary>inputGrad (overwritten) = each output gradient spread evenly over its window.</summary>
    void AvgPool2dBackward(ReadOnlySpan<float> outputGrad, ConvGeometry g, Span<float> inputGrad);

    /// <summary>y = max(x, 0).</summary>
    void Relu(ReadOnlySpan<float> x, Span<float> y);

    /// <summary>dx = dy where y &gt; 0, else 0.</summary>
    void ReluBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx);

    /// <summary>matrix(rows, cols) += vector(cols) broadcast over rows.</summary>
    void AddRowVector(Span<float> matrix, int rows, int cols, ReadOnlySpan<float> vector);

    /// <summary>sums(cols) += the column sums of matrix(rows, cols).</summary>
    void AccumulateColumnSums(ReadOnlySpan<float> matrix, int rows, int cols, Span<float> sums);

    /// <summary>sums(rows) += the row sums of matrix(rows, cols).</summary>
    void AccumulateRowSums(ReadOnlySpan<float> matrix, int rows, int cols, Span<float> sums);

    /// <summary>
    /// Batch normalisation of x (N, C, P): in training the per-channel batch mean and biased variance (accumulated in
    /// double) are used and the running statistics updated (r = (1 - momentum) r + momentum * value, the variance
    /// unbiased); otherwise the running statistics are used. Writes mean and invStd = 1 / sqrt(var + eps) per channel,
    /// normalized = (x - mean) * invStd and y = normalized * gamma + beta.
    /// </summary>
    void BatchNormForward(ReadOnlySpan<float> x, int batch, int channels, int plane, bool training, double eps, double momentum,
        Span<float> runningMean, Span<float> runningVar, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        Span<float> mean, Span<float> invStd, Span<float> normalized, Span<float> y);

    /// <summary>
    /// Batch normalisation backward: gammaGrad += sum of dy * normalized, betaGrad += sum of dy per channel; inputGrad
    /// (overwritten; skipped when empty) through the batch statistics when <paramref name="batchStatistics"/>, else
    /// gamma * invStd * dy.
    /// </summary>
    void BatchNormBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> normalized, int batch, int channels, int plane, bool batchStatistics,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> invStd, Span<float> gammaGrad, Span<float> betaGrad, Span<float> inputGrad);

    /// <summary>Turns uniforms on [0, 1) into an inverted-dropout mask in place: 0 where u &lt; p, else keep.</summary>
    void DropoutMask(Span<float> mask, float p, float keep);

    /// <summary>result = a * b, element by element.</summary>
    void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> result);

    /// <summary>
    /// The mean over rows of the label-smoothed cross-entropy of softmax(logits (N, K)) against targets (N, already
    /// checked to lie in 0..K-1), fused with log-softmax; probabilities (N, K) receives the softmax.
    /// </summary>
    double SoftmaxCrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int classes, double labelSmoothing, Span<float> probabilities);

    /// <summary>logitsGrad (N, K) = (probabilities - the smoothed target distribution) / N.</summary>
    void SoftmaxCrossEntropyBackward(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> targets, int classes, double labelSmoothing, Span<float> logitsGrad);
}

using ILGPU;
using ILGPU.Runtime;

namespace MlNetDigits.Engine.Backends;

// Element by element: activations, dropout, scaling, the dense layer's bias and its sums, and the softmax
// cross-entropy (a row per iteration: K is small).
public sealed partial class GpuKernels
{
    private Action<Index1D, Loop, ArrayView<float>, ArrayView<float>>? _relu;
    private Action<Index1D, Loop, ArrayView<float>, ArrayView<float>, ArrayView<float>>? _reluBackward, _multiply;
    private Action<Index1D, Loop, ArrayView<float>, float, float>? _dropoutMask;
    private Action<Index1D, Loop, ArrayView<float>, float>? _scale;
    private Action<Index1D, Loop, ArrayView<float>, ArrayView<float>, int>? _addRowVector, _columnSums, _rowSums;
    private Action<Index1D, Loop, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<double>, int, double>? _softmaxCrossEntropy;
    private Action<Index1D, Loop, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, float>? _softmaxCrossEntropyBackward;
    private GpuBuffer<double>? _rowLossBuffer; // (N)

    public void Relu(Tensor x, Tensor y)
    {
        Require(y.Length, x.Length, "Relu y");
        if (x.Length == 0)
            return;
        _relu ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<float>>(ReluKernel);
        var loop = LoopOver(x.Length);
        _relu(loop.Stride, loop, View(x), View(y));
    }

    public void ReluBackward(Tensor y, Tensor dy, Tensor dx)
    {
        Require(dy.Length, y.Length, "ReluBackward dy");
        Require(dx.Length, y.Length, "ReluBackward dx");
        if (y.Length == 0)
            return;
        _reluBackward ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ReluBackwardKernel);
        var loop = LoopOver(y.Length);
        _reluBackward(loop.Stride, loop, View(y), View(dy), View(dx));
    }

    public void DropoutMask(Tensor mask, float p, float keep)
    {
        if (mask.Length == 0)
            return;
        _dropoutMask ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, float, float>(DropoutMaskKernel);
        var loop = LoopOver(mask.Length);
        _dropoutMask(loop.Stride, loop, View(mask), p, keep);
    }

    public void Multiply(Tensor a, Tensor b, Tensor result)
    {
        Require(b.Length, a.Length, "Multiply b");
        Require(result.Length, a.Length, "Multiply result");
        if (a.Length == 0)
            return;
        _multiply ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<float>, ArrayView<float>>(MultiplyKernel);
        var loop = LoopOver(a.Length);
        _multiply(loop.Stride, loop, View(a), View(b), View(result));
    }

    public void Scale(Tensor x, float factor)
    {
        if (x.Length == 0)
            return;
        _scale ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, float>(ScaleKernel);
        var loop = LoopOver(x.Length);
        _scale(loop.Stride, loop, View(x), factor);
    }

    public void AddRowVector(Tensor matrix, int rows, int cols, Tensor vector)
    {
        Require(matrix.Length, (long)rows * cols, "AddRowVector matrix");
        Require(vector.Length, cols, "AddRowVector vector");
        if (matrix.Length == 0)
            return;
        _addRowVector ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<float>, int>(AddRowVectorKernel);
        var loop = LoopOver(matrix.Length);
        _addRowVector(loop.Stride, loop, View(matrix), View(vector), cols);
    }

    public void AccumulateColumnSums(Tensor matrix, int rows, int cols, Tensor sums)
    {
        Require(matrix.Length, (long)rows * cols, "AccumulateColumnSums matrix");
        Require(sums.Length, cols, "AccumulateColumnSums sums");
        if (cols == 0)
            return;
        _columnSums ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<float>, int>(ColumnSumsKernel);
        var loop = LoopOver(cols);
        _columnSums(loop.Stride, loop, View(matrix), View(sums), rows);
    }

    public void AccumulateRowSums(Tensor matrix, int rows, int cols, Tensor sums)
    {
        Require(matrix.Length, (long)rows * cols, "AccumulateRowSums matrix");
        Require(sums.Length, rows, "AccumulateRowSums sums");
        if (rows == 0)
            return;
        _rowSums ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<float>, int>(RowSumsKernel);
        var loop = LoopOver(rows);
        _rowSums(loop.Stride, loop, View(matrix), View(sums), cols);
    }

    public double SoftmaxCrossEntropy(Tensor logits, IntTensor targets, int classes, double labelSmoothing, Tensor probabilities)
    {
        int n = targets.Length, k = classes;
        Require(logits.Length, (long)n * k, "SoftmaxCrossEntropy logits");
        Require(probabilities.Length, logits.Length, "SoftmaxCrossEntropy probabilities");
        if (n == 0)
            return double.NaN;
        _softmaxCrossEntropy ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<double>, int, double>(SoftmaxCrossEntropyKernel);
        var losses = Scratch(ref _rowLossBuffer, n);
        var loop = LoopOver(n);
        _softmaxCrossEntropy(loop.Stride, loop, View(logits), View(targets), View(probabilities), losses, k, labelSmoothing);
        // The loss is the one value a step reads back: the rows' terms, added here in row order as on the CPU.
        if (_rowLosses.Length < n)
            _rowLosses = new double[n];
        var rows = _rowLosses.AsSpan(0, n);
        losses.CopyToCPU(rows);
        _accelerator.Synchronize();
        double total = 0;
        foreach (var term in rows)
            total += term;
        return total / n;
    }

    public void SoftmaxCrossEntropyBackward(Tensor probabilities, IntTensor targets, int classes, double labelSmoothing, Tensor logitsGrad)
    {
        int n = targets.Length, k = classes;
        Require(probabilities.Length, (long)n * k, "SoftmaxCrossEntropyBackward probabilities");
        Require(logitsGrad.Length, probabilities.Length, "SoftmaxCrossEntropyBackward logitsGrad");
        if (n == 0)
            return;
        _softmaxCrossEntropyBackward ??= _accelerator.LoadAutoGroupedStreamKernel<Index1D, Loop, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, float>(SoftmaxCrossEntropyBackwardKernel);
        var loop = LoopOver((long)n * k);
        _softmaxCrossEntropyBackward(loop.Stride, loop, View(probabilities), View(targets), View(logitsGrad), k, (float)labelSmoothing);
    }

    // y = max(x, 0), NaN kept (as TensorPrimitives.Max).
    internal static void ReluKernel(Index1D t, Loop loop, ArrayView<float> x, ArrayView<float> y)
    {
        for (int i = t; i < loop.Count; i += loop.Stride)
        {
            float v = x[i];
            y[i] = v > 0f || float.IsNaN(v) ? v : 0f;
        }
    }

    internal static void ReluBackwardKernel(Index1D t, Loop loop, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx)
    {
        for (int i = t; i < loop.Count; i += loop.Stride)
            dx[i] = y[i] > 0f ? dy[i] : 0f;
    }

    internal static void DropoutMaskKernel(Index1D t, Loop loop, ArrayView<float> mask, float p, float keep)
    {
        for (int i = t; i < loop.Count; i += loop.Stride)
            mask[i] = mask[i] < p ? 0f : keep;
    }

    internal static void MultiplyKernel(Index1D t, Loop loop, ArrayView<float> a, ArrayView<float> b, ArrayView<float> result)
    {
        for (int i = t; i < loop.Count; i += loop.Stride)
            result[i] = a[i] * b[i];
    }

    internal static void ScaleKernel(Index1D t, Loop loop, ArrayView<float> x, float factor)
    {
        for (int i = t; i < loop.Count; i += loop.Stride)
            x[i] = x[i] * factor;
    }

    internal static void AddRowVectorKernel(Index1D t, Loop loop, ArrayView<float> matrix, ArrayView<float> vector, int cols)
    {
        for (int i = t; i < loop.Count; i += loop.Stride)
            matrix[i] = matrix[i] + vector[i % cols];
    }

    // sums[j] += matrix[0, j] + matrix[1, j] + ..., added one row at a time onto the running sum, as the CPU adds rows.
    internal static void ColumnSumsKernel(Index1D t, Loop loop, ArrayView<float> matrix, ArrayView<float> sums, int rows)
    {
        int cols = loop.Count;
        for (int j = t; j < cols; j += loop.Stride)
        {
            float sum = sums[j];
            for (int r = 0; r < rows; r++)
                sum += matrix[r * cols + j];
            sums[j] = sum;
        }
    }

    internal static void RowSumsKernel(Index1D t, Loop loop, ArrayView<float> matrix, ArrayView<float> sums, int cols)
    {
        for (int r = t; r < loop.Count; r += loop.Stride)
        {
            float sum = 0f;
            for (int j = 0; j < cols; j++)
                sum += matrix[r * cols + j];
            sums[r] = sums[r] + sum;
        }
    }

    // Row i: probabilities = softmax(logits), losses[i] = (1 - e) (-log p[target]) - e * mean of log p, in double
    // from the float differences, as the CPU computes it.
    internal static void SoftmaxCrossEntropyKernel(Index1D t, Loop loop, ArrayView<float> logits, ArrayView<int> targets, ArrayView<float> probabilities,
        ArrayView<double> losses, int k, double e)
    {
        for (int i = t; i < loop.Count; i += loop.Stride)
        {
            int row = i * k;
            float max = logits[row];
            for (int j = 1; j < k; j++)
            {
                float v = logits[row + j];
                if (v > max || float.IsNaN(v))
                    max = v;
            }
            double sumExp = 0;
            for (int j = 0; j < k; j++)
                sumExp += Math.Exp(logits[row + j] - max);
            double logSum = Math.Log(sumExp) + max;
            double sumLogP = 0;
            for (int j = 0; j < k; j++)
            {
                double logP = logits[row + j] - logSum;
                probabilities[row + j] = (float)Math.Exp(logP);
                sumLogP += logP;
            }
            double nll = logSum - logits[row + targets[i]];
            losses[i] = (1 - e) * nll - e * sumLogP / k;
        }
    }

    // dlogits = (p - e / K) / N, less (1 - e) / N at the target.
    internal static void SoftmaxCrossEntropyBackwardKernel(Index1D t, Loop loop, ArrayView<float> probabilities, ArrayView<int> targets, ArrayView<float> logitsGrad, int k, float e)
    {
        float invN = 1f / (loop.Count / k);
        for (int i = t; i < loop.Count; i += loop.Stride)
        {
            int r = i / k, j = i - r * k;
            float g = (probabilities[i] - e / k) * invN;
            if (targets[r] == j)
                g -= (1 - e) * invN;
            logitsGrad[i] = g;
        }
    }
}

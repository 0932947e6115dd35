using System.Numerics.Tensors;

namespace MlNetDigits;

/// <summary>Gathers (probabilities, true class) pairs one prediction at a time into <see cref="CalibrationMetrics"/>.</summary>
public sealed class CalibrationAccumulator
{
    private readonly long[] _rows, _correct;
    private readonly double[] _confidence;
    private long _count;

    /// <param name="binCount">The number of equal-width confidence bins (at least 1).</param>
    public CalibrationAccumulator(int binCount = CalibrationMetrics.DefaultBinCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(binCount, 1);
        _rows = new long[binCount];
        _correct = new long[binCount];
        _confidence = new double[binCount];
    }

    /// <summary>Adds one prediction: its class probabilities and the index of the true class.</summary>
    public void Add(ReadOnlySpan<float> probabilities, int trueClass)
    {
        if (probabilities.IsEmpty)
            throw new ArgumentException("A prediction needs at least one class probability.", nameof(probabilities));
        if ((uint)trueClass >= (uint)probabilities.Length)
            throw new ArgumentOutOfRangeException(nameof(trueClass), trueClass, $"The true class must be one of the {probabilities.Length} classes (0..{probabilities.Length - 1}).");
        int predicted = TensorPrimitives.IndexOfMax(probabilities);
        double confidence = probabilities[predicted];
        if (!(confidence >= 0 && confidence <= 1.0001))
            throw new ArgumentException($"Probabilities must lie in 0..1; the top one is {confidence}. Pass the Score column of a classifier, not raw scores.", nameof(probabilities));
        int bin = Math.Min(_rows.Length - 1, (int)(Math.Min(confidence, 1) * _rows.Length));
        _rows[bin]++;
        _confidence[bin] += confidence;
        if (predicted == trueClass)
            _correct[bin]++;
        _count++;
    }

    /// <summary>The metrics of everything added so far.</summary>
    public CalibrationMetrics ToMetrics()
    {
        if (_count == 0)
            throw new InvalidOperationException("No predictions were added: calibration needs at least one.");
        int n = _rows.Length;
        var bins = new CalibrationBin[n];
        for (int b = 0; b < n; b++)
            bins[b] = new CalibrationBin((double)b / n, (double)(b + 1) / n, _rows[b],
                _rows[b] == 0 ? 0 : _confidence[b] / _rows[b], _rows[b] == 0 ? 0 : (double)_correct[b] / _rows[b]);
        return new CalibrationMetrics(bins, _count);
    }
}

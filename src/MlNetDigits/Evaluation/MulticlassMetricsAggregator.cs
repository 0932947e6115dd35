namespace MlNetDigits.Evaluation;

/// <summary>
/// Accumulates multiclass metrics row by row (one pass, no allocation per row) and turns the sums into
/// <see cref="MulticlassClassificationMetrics"/>. The definitions follow ML.NET's multiclass evaluator.
/// </summary>
internal sealed class MulticlassMetricsAggregator
{
    /// <summary>Scores are clamped to at least this before the log (ML.NET's epsilon).</summary>
    public const double Epsilon = 1e-15;

    /// <summary>The number of equal-width confidence bins of the expected calibration error.</summary>
    public const int CalibrationBins = 15;

    private readonly int _classes;
    private readonly int _topK;

    private long _rows;
    private long _skipped;
    private long _correct;
    private double _logLossSum;
    private readonly long[] _classRows;                                  // (K) rows whose label is class c
    private readonly double[] _classLogLossSum;                          // (K)
    private readonly double[][] _confusion;                              // (K, K) [actual][predicted]
    private readonly long[] _hitsAtRank;                                 // (K) rows whose true class has rank r among the scores
    private readonly long[] _binRows = new long[CalibrationBins];
    private readonly long[] _binCorrect = new long[CalibrationBins];
    private readonly double[] _binConfidenceSum = new double[CalibrationBins];

    public MulticlassMetricsAggregator(int classes, int topK)
    {
        _classes = classes;
        _topK = topK;
        _classRows = new long[classes];
        _classLogLossSum = new double[classes];
        _hitsAtRank = new long[classes];
        _confusion = new double[classes][];
        for (int i = 0; i < classes; i++)
            _confusion[i] = new double[classes];
    }

    /// <summary>Counts a row left out (missing or invalid label, non-finite scores).</summary>
    public void Skip() => _skipped++;

    /// <summary>Adds one row: its class index (0-based, possibly beyond the score vector) and its scores.</summary>
    public void Add(long label, ReadOnlySpan<float> scores)
    {
        // scores: (K)
        foreach (var s in scores)
        {
            if (!float.IsFinite(s))
            {
                _skipped++;
                return;
            }
        }

        // The predicted class is the arg-max; ties go to the lower class, as with ML.NET's stable ordering.
        int predicted = 0;
        for (int j = 1; j < scores.Length; j++)
            if (scores[j] > scores[predicted])
                predicted = j;

        _rows++;
        var known = label < _classes;
        double logLoss;
        if (known)
        {
            var c = (int)label;
            var p = Math.Min(1.0, Math.Max(Epsilon, scores[c]));
            logLoss = -Math.Log(p);
            _classRows[c]++;
            _classLogLossSum[c] += logLoss;
            _confusion[c][predicted]++;
            if (predicted == c)
                _correct++;

            // The rank of the true class: classes scored higher, or equal and listed before it.
            int rank = 0;
            for (int j = 0; j < scores.Length; j++)
                if (scores[j] > scores[c] || (scores[j] == scores[c] && j < c))
                    rank++;
            _hitsAtRank[rank]++;
        }
        else
        {
            // A class the model has no score for: ML.NET charges the largest clamped loss.
            logLoss = -Math.Log(Epsilon);
        }
        _logLossSum += logLoss;

        // Calibration: the top score is the confidence of the predicted class.
        var confidence = Math.Clamp((double)scores[predicted], 0.0, 1.0);
        var bin = Math.Min(CalibrationBins - 1, (int)(confidence * CalibrationBins));
        _binRows[bin]++;
        _binConfidenceSum[bin] += confidence;
        if (known && predicted == label)
            _binCorrect[bin]++;
    }

    public MulticlassClassificationMetrics ToMetrics(IReadOnlyList<string> classNames)
    {
        double n = _rows;
        var micro = n > 0 ? _correct / n : 0;

        double macroSum = 0;
        int present = 0;
        for (int c = 0; c < _classes; c++)
        {
            if (_classRows[c] > 0)
            {
                present++;
                macroSum += _confusion[c][c] / _classRows[c];
            }
        }
        var macro = present > 0 ? macroSum / present : 0;

        var logLoss = n > 0 ? _logLossSum / n : 0;

        // The prior's log-loss is the entropy of the test set's class distribution (rows of unknown classes count in n).
        double entropy = 0;
        for (int c = 0; c < _classes; c++)
            if (_classRows[c] > 0)
                entropy -= _classRows[c] / n * Math.Log(_classRows[c] / n);
        var reduction = n > 0 ? (entropy - logLoss) / entropy : 0;

        var perClassLogLoss = new double[_classes];
        for (int c = 0; c < _classes; c++)
            perClassLogLoss[c] = _classRows[c] > 0 ? _classLogLossSum[c] / _classRows[c] : 0;

        var topK = new double[_topK];
        long hits = 0;
        for (int k = 0; k < _topK; k++)
        {
            if (k < _classes)
                hits += _hitsAtRank[k];
            topK[k] = n > 0 ? hits / n : 0;
        }

        double ece = 0;
        for (int b = 0; b < CalibrationBins; b++)
        {
            if (_binRows[b] == 0)
                continue;
            var accuracy = (double)_binCorrect[b] / _binRows[b];
            var confidence = _binConfidenceSum[b] / _binRows[b];
            ece += _binRows[b] / n * Math.Abs(accuracy - confidence);
        }

        return new MulticlassClassificationMetrics(micro, macro, logLoss, reduction, _topK, topK, perClassLogLoss, ece,
            new ConfusionMatrix(_confusion, classNames), _rows, _skipped);
    }
}

using MlNetDigits.Cli.Reports;

namespace MlNetDigits.Cli.Training;

/// <summary>
/// Records a CNN training run's progress reports as chartable curves: loss and accuracy every few batches and per epoch
/// (validation included). (ML.NET's SDCA reports no per-iteration figures to record.)
/// </summary>
internal sealed class CurveRecorder : IProgress<TrainingProgress>
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<CurvePoint>> _series = new(StringComparer.Ordinal);

    public void Report(TrainingProgress value)
    {
        lock (_lock)
        {
            switch (value.Kind)
            {
                case TrainingProgressKind.Batch when value.Batch is { } batch && value.TotalBatches is { } total && total > 0:
                    var x = value.Epoch - 1 + (double)batch / total;
                    Add("batch loss", x, value, "loss");
                    Add("batch accuracy", x, value, "accuracy");
                    break;
                case TrainingProgressKind.Epoch:
                    foreach (var name in new[] { "loss", "accuracy", "validationLoss", "validationAccuracy" })
                        Add(name, value.Epoch, value, name);
                    break;
            }
        }
    }

    /// <summary>The charts "Loss" and "Accuracy"; empty when nothing was reported.</summary>
    public IReadOnlyList<TrainingCurve> ToCurves()
    {
        lock (_lock)
        {
            var curves = new List<TrainingCurve>();
            AddCurve(curves, "Loss", "epoch", "cross-entropy",
                ("training (every few batches)", "batch loss"), ("training (epoch mean)", "loss"), ("validation", "validationLoss"));
            AddCurve(curves, "Accuracy", "epoch", "accuracy",
                ("training (every few batches)", "batch accuracy"), ("training (epoch mean)", "accuracy"), ("validation", "validationAccuracy"));
            return curves;
        }
    }

    private void Add(string series, double x, TrainingProgress value, string metric)
    {
        if (!value.Metrics.TryGetValue(metric, out var y) || !double.IsFinite(y))
            return;
        if (!_series.TryGetValue(series, out var points))
            _series[series] = points = [];
        points.Add(new CurvePoint(x, y));
    }

    private void AddCurve(List<TrainingCurve> curves, string title, string xLabel, string yLabel, params (string Caption, string Key)[] series)
    {
        var lines = series.Where(s => _series.ContainsKey(s.Key)).Select(s => new CurveSeries(s.Caption, [.. _series[s.Key]])).ToList();
        if (lines.Count > 0)
            curves.Add(new TrainingCurve(title, xLabel, yLabel, lines));
    }
}

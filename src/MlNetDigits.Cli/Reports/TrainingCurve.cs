namespace MlNetDigits.Cli.Reports;

/// <summary>One chart of a training run: a title, axis captions and one or more series of (x, y) points.</summary>
internal sealed record TrainingCurve(string Title, string XLabel, string YLabel, IReadOnlyList<CurveSeries> Series);

/// <summary>One line of a <see cref="TrainingCurve"/>.</summary>
internal sealed record CurveSeries(string Name, IReadOnlyList<CurvePoint> Points);

/// <summary>A point of a <see cref="CurveSeries"/>.</summary>
internal readonly record struct CurvePoint(double X, double Y);

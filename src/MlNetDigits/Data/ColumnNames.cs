namespace MlNetDigits;

/// <summary>The column names ML.NET's multiclass trainers use by default (ML.NET keeps its own list internal).</summary>
internal static class ColumnNames
{
    public const string Label = "Label";
    public const string Score = "Score";
    public const string PredictedLabel = "PredictedLabel";
}

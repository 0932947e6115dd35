namespace MlNetDigits;

/// <summary>The column names ML.NET's multiclass trainers use by default (ML.NET keeps its own list internal).</summary>
internal static class ColumnNames
{
    public const string Label = "Label";
    public const string Score = "Score";
    public const string PredictedLabel = "PredictedLabel";

    /// <summary>The CNN's out-of-distribution score (Vector&lt;Single, 1&gt;): the ONNX graph's output of that name.</summary>
    public const string OodScore = MlNetDigits.Engine.Onnx.OnnxExporter.OutputNames.OodScore;
}

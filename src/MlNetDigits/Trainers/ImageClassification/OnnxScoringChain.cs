using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetDigits;

/// <summary>
/// The ML.NET side of a trained CNN: ML.NET's OnnxTransformer over the exported graph, then standard transforms that give
/// the columns every ML.NET multiclass model gives — "Score" (the class probabilities) and the key "PredictedLabel" — plus,
/// when the graph has one, "OodScore" (Vector&lt;Single, 1&gt;: the out-of-distribution score, above 0 for an image unlike
/// the training data; ML.NET's OnnxTransformer gives every output as a vector), so a saved model loads and predicts in an
/// app that references only Microsoft.ML, Microsoft.ML.OnnxTransformer and Microsoft.ML.OnnxRuntime.
/// </summary>
internal static class OnnxScoringChain
{
    private const string ScoreCopy = "ImageClassification.Score";

    /// <summary>
    /// Builds the chain for the ONNX model <paramref name="onnxModel"/> (input named like the feature column; outputs "Score"
    /// and "PredictedOneHot", and "OodScore" when it has it), giving PredictedLabel the type and key values of <paramref name="label"/>.
    /// </summary>
    public static TransformerChain<ITransformer> Build(MLContext ml, byte[] onnxModel, string featureColumnName, DataViewSchema.Column label,
        IDataView schemaSource, int? gpuDeviceId, bool fallbackToCpu)
    {
        // ONNX Runtime: Score (1, K), the one-hot arg-max (1, K) and, when the graph has it, OodScore (1) per row.
        string[] outputs = Engine.Onnx.OnnxModelInfo.Read(onnxModel).Outputs.Any(o => o.Name == ColumnNames.OodScore)
            ? [ColumnNames.Score, ArgMaxKeyLookup.OneHotColumnName, ColumnNames.OodScore]
            : [ColumnNames.Score, ArgMaxKeyLookup.OneHotColumnName];
        var onnx = ml.Transforms.ApplyOnnxModel(outputs, [featureColumnName],
            new MemoryStream(onnxModel, writable: false), gpuDeviceId, fallbackToCpu).Fit(schemaSource);
        var scored = onnx.Transform(schemaSource);
        // Keep the probabilities aside while naive Bayes writes its own Score next to PredictedLabel.
        var keep = ml.Transforms.CopyColumns(ScoreCopy, ColumnNames.Score).Fit(scored);
        var lookup = ArgMaxKeyLookup.Fit(ml, label);
        var afterLookup = lookup.Transform(keep.Transform(scored));
        var restore = ml.Transforms.CopyColumns(ColumnNames.Score, ScoreCopy)
            .Append(ml.Transforms.DropColumns(ScoreCopy, ArgMaxKeyLookup.OneHotColumnName))
            .Fit(afterLookup);
        return new TransformerChain<ITransformer>(onnx, keep, lookup, restore);
    }
}

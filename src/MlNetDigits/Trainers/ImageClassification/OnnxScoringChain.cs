using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetDigits;

/// <summary>
/// The ML.NET side of a trained CNN: ML.NET's OnnxTransformer over the exported graph, then standard transforms that give
/// the columns every ML.NET multiclass model gives — "Score" (the class probabilities) and the key "PredictedLabel" — so a
/// saved model loads and predicts in an app that references only Microsoft.ML, Microsoft.ML.OnnxTransformer and
/// Microsoft.ML.OnnxRuntime.
/// </summary>
internal static class OnnxScoringChain
{
    private const string ScoreCopy = "ImageClassification.Score";

    /// <summary>
    /// Builds the chain for the ONNX model <paramref name="onnxModel"/> (input named like the feature column; outputs "Score"
    /// and "PredictedOneHot"), giving PredictedLabel the type and key values of <paramref name="label"/>.
    /// </summary>
    public static TransformerChain<ITransformer> Build(MLContext ml, byte[] onnxModel, string featureColumnName, DataViewSchema.Column label,
        IDataView schemaSource, int? gpuDeviceId, bool fallbackToCpu)
    {
        // ONNX Runtime: Score (1, K) and the one-hot arg-max (1, K) per row.
        var onnx = ml.Transforms.ApplyOnnxModel([ColumnNames.Score, ArgMaxKeyLookup.OneHotColumnName], [featureColumnName],
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

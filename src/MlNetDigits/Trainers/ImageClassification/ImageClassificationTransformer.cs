using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetDigits;

/// <summary>
/// A trained CNN image classifier, what <see cref="ImageClassificationTrainer.Fit"/> returns. It adds "Score" (class
/// probabilities, softmax(f(x') / T) with the fitted temperature T) and the key "PredictedLabel" (the label's key type)
/// to the data, like every ML.NET multiclass model. Inside it is a plain ML.NET <see cref="TransformerChain{TLastTransformer}"/>:
/// ML.NET's OnnxTransformer over the exported network, then standard ML.NET transforms. <c>mlContext.Model.Save</c> writes
/// that chain, so the saved zip loads in any ML.NET app with Microsoft.ML, Microsoft.ML.OnnxTransformer and
/// Microsoft.ML.OnnxRuntime alone; the training history, settings and calibration ride along in the ONNX graph's
/// metadata (read them with <see cref="CnnModelInfo"/>).
/// </summary>
public sealed class ImageClassificationTransformer : ITransformer
{
    private readonly byte[] _onnxModel;

    internal ImageClassificationTransformer(TransformerChain<ITransformer> model, byte[] onnxModel, CnnModelInfo info)
    {
        Model = model;
        _onnxModel = onnxModel;
        Info = info;
    }

    /// <summary>The ML.NET chain that scores (and that <c>mlContext.Model.Save</c> writes).</summary>
    public TransformerChain<ITransformer> Model { get; }

    /// <summary>What the model is and how it was trained: architecture, normalisation, temperature, classes, history, settings.</summary>
    public CnnModelInfo Info { get; }

    /// <summary>The network's output history per epoch (a shortcut for <c>Info.History</c>).</summary>
    public IReadOnlyList<ImageClassificationEpoch> History => Info.History;

    /// <summary>The calibration temperature T (1 when not calibrated).</summary>
    public double Temperature => Info.Temperature;

    /// <summary>
    /// A copy of the network's parameters and batch-norm statistics by PyTorch-style name ("0.weight", "4.running_mean"),
    /// as stored in the ONNX graph.
    /// </summary>
    public IReadOnlyDictionary<string, MlNetDigits.Engine.Tensor> GetWeights()
    {
        var network = NetworkSpec.Parse(Info.Layers, Info.InputShape[0], Info.InputShape[1], Info.InputShape[2]).Build(new MlNetDigits.Engine.Rng(0));
        return CnnNetwork.StateDictionary(network, _onnxModel);
    }

    /// <summary>A copy of the ONNX model (opset 13, dynamic batch axis): input [N, C, H, W] raw pixels, outputs Score, Logits, PredictedIndex, PredictedOneHot.</summary>
    public byte[] GetOnnxModel() => (byte[])_onnxModel.Clone();

    public bool IsRowToRowMapper => ((ITransformer)Model).IsRowToRowMapper;

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Model.GetOutputSchema(inputSchema);

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => ((ITransformer)Model).GetRowToRowMapper(inputSchema);

    public IDataView Transform(IDataView input) => Model.Transform(input);

    /// <summary>Writes the inner ML.NET chain: the saved model holds only ML.NET's own components.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)Model).Save(ctx);
}

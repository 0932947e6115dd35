using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetDigits;

/// <summary>
/// A trained CNN image classifier, what <see cref="ImageClassificationTrainer.Fit"/> returns. It adds "Score" (class
/// probabilities, softmax(f(x') / T) with the fitted temperature T) and the key "PredictedLabel" (the label's key type)
/// to the data, like every ML.NET multiclass model, and — when trained with validation images — "OodScore"
/// (Vector&lt;Single, 1&gt;, see <see cref="OodCalibration"/>): above 0 for an image unlike the training data. Inside it is a plain ML.NET <see cref="TransformerChain{TLastTransformer}"/>:
/// ML.NET's OnnxTransformer over the exported network, then standard ML.NET transforms. <c>mlContext.Model.Save</c> writes
/// that chain, so the saved zip loads in any ML.NET app with Microsoft.ML, Microsoft.ML.OnnxTransformer and
/// Microsoft.ML.OnnxRuntime alone; the training history, settings and calibration ride along in the ONNX graph's
/// metadata (read them with <see cref="CnnModelInfo"/>).
/// </summary>
public sealed class ImageClassificationTransformer : ITransformer
{
    private readonly byte[] _onnxModel;

    internal ImageClassificationTransformer(TransformerChain<ITransformer> model, byte[] onnxModel, CnnModelInfo info, DataViewSchema.Column labelColumn)
    {
        Model = model;
        _onnxModel = onnxModel;
        Info = info;
        LabelColumn = labelColumn;
    }

    /// <summary>The key column whose type (and key values) PredictedLabel has: the training label.</summary>
    internal DataViewSchema.Column LabelColumn { get; }

    /// <summary>
    /// The CNN inside an ML.NET model file as an <see cref="ImageClassificationTransformer"/> again (its history, weights
    /// and ONNX graph at hand), e.g. to put it in an ensemble or to fine-tune it. The file must hold a CNN made by this
    /// library and a key column of its classes (the "PredictedLabel" it gives, or the "Label" it maps to a key).
    /// </summary>
    /// <exception cref="InvalidDataException">The file holds no CNN, or no key column of its classes.</exception>
    public static ImageClassificationTransformer Load(MLContext ml, string modelPath)
    {
        ArgumentNullException.ThrowIfNull(ml);
        var onnx = CnnModelInfo.ReadOnnxFromModelFile(modelPath);
        var info = CnnModelInfo.FromOnnx(onnx);
        var loaded = ml.Model.Load(modelPath, out var inputSchema);
        var output = loaded.GetOutputSchema(inputSchema);
        var label = new[] { ColumnNames.PredictedLabel, ColumnNames.Label }
            .Select(output.GetColumnOrNull)
            .FirstOrDefault(c => c?.Type is KeyDataViewType key && (int)key.Count == info.ClassNames.Count)
            ?? throw new InvalidDataException($"'{modelPath}' gives no key column of its {info.ClassNames.Count} classes (PredictedLabel or Label) to take the class type from.");
        var chain = OnnxScoringChain.Build(ml, onnx, info.InputColumnName, label, new EmptyDataView(inputSchema), null, false);
        return new ImageClassificationTransformer(chain, onnx, info, label);
    }

    /// <summary>
    /// This model with an out-of-distribution score fitted anew (see <see cref="OodCalibration"/>): the class means and
    /// covariance of its penultimate features on <paramref name="trainingData"/> (the images it was trained on), and the
    /// tails and threshold that flag
    /// at most <paramref name="falsePositiveRate"/> of <paramref name="validationData"/> (in-distribution images it was
    /// <em>not</em> trained on) — what training does when it has validation images, for a model trained without them or
    /// before the score existed. The weights, temperature and history stay as they are. Both data views need the model's
    /// image column and a key label column (as the trainer reads them).
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is an ensemble (give each member its score, then combine them).</exception>
    public ImageClassificationTransformer WithOodScore(IDataView trainingData, IDataView validationData,
        double falsePositiveRate = ImageClassificationTrainer.Defaults.OodFalsePositiveRate, string labelColumnName = ImageClassificationTrainer.Defaults.LabelColumnName)
    {
        ArgumentNullException.ThrowIfNull(trainingData);
        ArgumentNullException.ThrowIfNull(validationData);
        if (!(falsePositiveRate > 0 && falsePositiveRate < 1))
            throw new ArgumentOutOfRangeException(nameof(falsePositiveRate), falsePositiveRate, "The false-positive rate must be in (0, 1), e.g. 0.01.");
        if (Info.IsEnsemble)
            throw new InvalidOperationException($"The model is an ensemble of {Info.Members!.Count} networks; give each member its out-of-distribution score, then combine them again.");
        var network = CnnNetwork.Rebuild(Info, _onnxModel);
        int features = MlNetDigits.Engine.Ood.PenultimateFeatures.Count(network);
        if (features > ImageClassificationTrainer.Defaults.MaximumOodFeatures)
            throw new InvalidOperationException($"The last Dense layer reads {features} features, more than {ImageClassificationTrainer.Defaults.MaximumOodFeatures}: too many for the out-of-distribution score's covariance matrices.");
        network.Kernels = MlNetDigits.Engine.Backends.Kernels.Create(MlNetDigits.Engine.Backends.Kernels.Default.Kind, Environment.ProcessorCount);
        try
        {
            var training = ImageExamples.Read(trainingData, labelColumnName, Info.InputColumnName, LabelColumn, CancellationToken.None);
            var validation = ImageExamples.Read(validationData, labelColumnName, Info.InputColumnName, LabelColumn, CancellationToken.None, "the validation data");
            var shape = (Info.InputShape[0], Info.InputShape[1], Info.InputShape[2]);
            if (training.Shape != shape || validation.Shape != shape)
                throw ImageExamples.SchemaError(Info.InputColumnName, $"images of shape {shape} (as the model reads)", $"{training.Shape} and {validation.Shape}", "the data");
            var (scale, shift) = Normalization.ScaleAndShift(Info.Mean, Info.StandardDeviation, Info.PixelScale, shape.Item1);
            var fit = OodFitting.Fit(network, shape, scale, shift, new OodFitting.Images(training.Pixels, null, training.Count), training.Labels,
                new OodFitting.Images(validation.Pixels, null, validation.Count), Info.ClassNames.Count, falsePositiveRate);
            var info = Info with { Ood = fit.Calibration };
            var onnx = CnnOnnxExport.Export(network, info, fit.Head);
            var chain = OnnxScoringChain.Build(new MLContext(0), onnx, info.InputColumnName, LabelColumn, new EmptyDataView(trainingData.Schema), null, false);
            return new ImageClassificationTransformer(chain, onnx, info, LabelColumn);
        }
        finally
        {
            (network.Kernels as IDisposable)?.Dispose();
        }
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
    /// <exception cref="InvalidOperationException">The model is an ensemble (several networks).</exception>
    public IReadOnlyDictionary<string, MlNetDigits.Engine.Tensor> GetWeights()
    {
        if (Info.IsEnsemble)
            throw new InvalidOperationException($"The model is an ensemble of {Info.Members!.Count} networks; get each member's weights from the member itself.");
        var network = NetworkSpec.Parse(Info.Layers, Info.InputShape[0], Info.InputShape[1], Info.InputShape[2]).Build(new MlNetDigits.Engine.Rng(0));
        return CnnNetwork.StateDictionary(network, _onnxModel);
    }

    /// <summary>
    /// A copy of the ONNX model (opset 13, dynamic batch axis): input [N, C, H, W] raw pixels, outputs Score, Logits,
    /// PredictedIndex, PredictedOneHot, and OodScore [N] when <see cref="CnnModelInfo.HasOodScore"/>.
    /// </summary>
    public byte[] GetOnnxModel() => (byte[])_onnxModel.Clone();

    public bool IsRowToRowMapper => ((ITransformer)Model).IsRowToRowMapper;

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Model.GetOutputSchema(inputSchema);

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => ((ITransformer)Model).GetRowToRowMapper(inputSchema);

    public IDataView Transform(IDataView input) => Model.Transform(input);

    /// <summary>Writes the inner ML.NET chain: the saved model holds only ML.NET's own components.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)Model).Save(ctx);
}

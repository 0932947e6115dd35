using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Imaging;

namespace MlNetDigits.Prediction;

/// <summary>
/// Classifies ordinary images of one handwritten digit with a saved model: a PNG, a grayscale pixel array of any size
/// (either polarity) or MNIST-format 28x28 pixels. Images are preprocessed the way MNIST was made
/// (<see cref="DigitPreprocessor"/>) and the answer carries the digit, every class probability, an unsure flag and the
/// 28x28 image the model saw. Thread-safe: predictions go through a <see cref="PredictionEnginePool{TIn, TOut}"/>.
/// </summary>
/// <remarks>
/// Works with any model whose input is a 784-item Single column "Image" (28x28, white ink on black, 0..255, as
/// <c>LoadFromIdx</c> gives it) and whose output has a "Score" vector of class probabilities: SDCA chains that start by
/// scaling or normalising the pixels and CNN image classifiers alike. Other input columns the model was saved with (a
/// label) are given default values.
/// <code>
/// using var classifier = DigitClassifier.Load("models/cnn-best.zip");
/// var prediction = classifier.Classify(File.ReadAllBytes("digit.png"));
/// Console.WriteLine($"{prediction.Digit} ({prediction.Confidence:P0})");
/// </code>
/// </remarks>
public sealed class DigitClassifier : IDisposable
{
    private const int Side = DigitPreprocessor.FrameSize;
    private const int PixelCount = Side * Side;

    private readonly DigitClassifierOptions _options;
    private readonly PredictionEnginePool<ImageInput, ScoreOutput> _pool;

    private DigitClassifier(DigitClassifierOptions? options, Func<PredictionEnginePoolOptions, PredictionEnginePool<ImageInput, ScoreOutput>> makePool)
    {
        _options = options ?? new DigitClassifierOptions();
        if (!(_options.ConfidenceThreshold is >= 0 and <= 1) || !(_options.MinimumMargin is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(options),
                $"ConfidenceThreshold and MinimumMargin must be in 0..1; found {_options.ConfidenceThreshold} and {_options.MinimumMargin}.");
        var pool = _options.Pool;
        var poolOptions = new PredictionEnginePoolOptions
        {
            MaximumRetainedEngines = pool.MaximumRetainedEngines,
            ReloadDebounce = pool.ReloadDebounce,
            PollingInterval = pool.PollingInterval,
            UseFileSystemEvents = pool.UseFileSystemEvents,
            Validate = model =>
            {
                CheckImageColumn(model, _options.ImageColumnName);
                pool.Validate?.Invoke(model);
            },
            ValidationExample = new ImageInput { Image = new float[PixelCount] },
            Engine = new PredictionEngineOptions
            {
                InputSchemaDefinition = InputDefinition(_options.ImageColumnName),
                OutputSchemaDefinition = [new SchemaDefinition.Column(nameof(ScoreOutput.Score), null, _options.ScoreColumnName)],
                SupplyMissingInputColumns = true,
            },
        };
        _pool = makePool(poolOptions);
        _pool.ModelReloaded += (s, e) => ModelReloaded?.Invoke(this, e);
        _pool.ModelReloadFailed += (s, e) => ModelReloadFailed?.Invoke(this, e);
    }

    /// <summary>Loads the model file <paramref name="modelPath"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="Model.InvalidModelException">The file is not a valid model.</exception>
    /// <exception cref="ArgumentException">The model does not take a 28x28 "Image" column or gives no "Score" vector.</exception>
    public static DigitClassifier Load(string modelPath, DigitClassifierOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        return new DigitClassifier(options, o => PredictionEnginePool<ImageInput, ScoreOutput>.FromFile(modelPath, options?.WatchForChanges ?? false, o));
    }

    /// <summary>Loads a model file from <paramref name="stream"/> (read to its end; it stays open).</summary>
    public static DigitClassifier Load(Stream stream, DigitClassifierOptions? options = null, string name = "model")
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var model = LoadedModel.FromBytes(copy.ToArray(), null, name, null);
        return new DigitClassifier(options, o => new PredictionEnginePool<ImageInput, ScoreOutput>(model.Transformer, model.InputSchema, o, name));
    }

    /// <summary>Serves an in-memory model (e.g. one just trained) saved, or to be saved, with <paramref name="inputSchema"/>.</summary>
    public static DigitClassifier FromModel(ITransformer model, DataViewSchema? inputSchema = null, DigitClassifierOptions? options = null, string name = "model")
    {
        ArgumentNullException.ThrowIfNull(model);
        return new DigitClassifier(options, o => new PredictionEnginePool<ImageInput, ScoreOutput>(model, inputSchema, o, name));
    }

    /// <summary>
    /// Loads a model shipped in the repository's models/ folder: "cnn" (cnn-best.zip), "sdca" (sdca.zip) or another file
    /// name; see <see cref="ShippedModels"/> for where it is looked for.
    /// </summary>
    /// <exception cref="FileNotFoundException">The model is in none of the searched folders (the message lists them).</exception>
    public static DigitClassifier LoadShipped(string name = "cnn", DigitClassifierOptions? options = null) =>
        Load(ShippedModels.Find(name), options);

    /// <summary>The model now served.</summary>
    public LoadedModel Model => _pool.CurrentModel;

    /// <summary>The class names in the model's slot order (for digits "0".."9").</summary>
    public IReadOnlyList<string> ClassNames
    {
        get
        {
            var engine = _pool.GetPredictionEngine();
            try
            {
                return NamesOf(engine);
            }
            finally
            {
                _pool.ReturnPredictionEngine(engine);
            }
        }
    }

    /// <summary>Raised after a changed model file replaced the model (with <see cref="DigitClassifierOptions.WatchForChanges"/>).</summary>
    public event EventHandler<ModelReloadedEventArgs>? ModelReloaded;

    /// <summary>Raised when a changed model file was refused; the old model keeps serving.</summary>
    public event EventHandler<ModelReloadFailedEventArgs>? ModelReloadFailed;

    /// <summary>Classifies a PNG (any colour type; see <see cref="PngDecoder"/>).</summary>
    /// <exception cref="InvalidImageException">The bytes are not a valid PNG, or it is over 4096 px a side.</exception>
    public DigitPrediction Classify(byte[] png)
    {
        ArgumentNullException.ThrowIfNull(png);
        return Classify(PngDecoder.Decode(png));
    }

    /// <summary>Classifies a PNG read from <paramref name="png"/>.</summary>
    public DigitPrediction Classify(Stream png)
    {
        ArgumentNullException.ThrowIfNull(png);
        return Classify(PngDecoder.Decode(png));
    }

    /// <summary>Classifies grayscale byte pixels (row-major, 0..255, dark-on-light or light-on-dark) of any size.</summary>
    public DigitPrediction Classify(ReadOnlySpan<byte> gray, int width, int height)
    {
        CheckSize(gray.Length, width, height);
        return Classify(GrayImage.FromBytes(width, height, gray));
    }

    /// <summary>Classifies grayscale float pixels (row-major, 0..255, either polarity) of any size.</summary>
    public DigitPrediction Classify(ReadOnlySpan<float> gray, int width, int height)
    {
        CheckSize(gray.Length, width, height);
        return Classify(GrayImage.FromFloats(width, height, gray));
    }

    /// <summary>Classifies a grayscale image after MNIST-style preprocessing.</summary>
    public DigitPrediction Classify(GrayImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var digit = DigitPreprocessor.Preprocess(image, _options.Preprocessing);
        return Predict(digit.Final, digit, digit.HasInk);
    }

    /// <summary>
    /// Classifies pixels already in MNIST format (784 floats, row-major 28x28, white ink on black, 0..255, digit centred) as
    /// they are, without preprocessing: what <c>LoadFromIdx</c> gives. For a user's 28x28 drawing use
    /// <see cref="Classify(ReadOnlySpan{float}, int, int)"/>, which centres and sizes it.
    /// </summary>
    public DigitPrediction Classify28x28(ReadOnlySpan<float> mnistPixels)
    {
        if (mnistPixels.Length != PixelCount)
            throw new ArgumentException($"Classify28x28 takes {PixelCount} pixels (28 x 28, row-major); found {mnistPixels.Length}. Use Classify(pixels, width, height) for other sizes.", nameof(mnistPixels));
        var image = GrayImage.FromFloats(Side, Side, mnistPixels);
        return Predict(image, null, HasInk(image));
    }

    /// <summary>Classifies MNIST-format byte pixels (784, white ink on black) as they are; see <see cref="Classify28x28(ReadOnlySpan{float})"/>.</summary>
    public DigitPrediction Classify28x28(ReadOnlySpan<byte> mnistPixels)
    {
        if (mnistPixels.Length != PixelCount)
            throw new ArgumentException($"Classify28x28 takes {PixelCount} pixels (28 x 28, row-major); found {mnistPixels.Length}. Use Classify(pixels, width, height) for other sizes.", nameof(mnistPixels));
        var image = GrayImage.FromBytes(Side, Side, mnistPixels);
        return Predict(image, null, HasInk(image));
    }

    /// <summary>Reads the model file again now (see <see cref="PredictionEnginePool{TIn, TOut}.Reload"/>).</summary>
    public bool Reload() => _pool.Reload();

    public void Dispose() => _pool.Dispose();

    private DigitPrediction Predict(GrayImage image, PreprocessedDigit? preprocessed, bool hasInk)
    {
        foreach (var v in image.Pixels)
            if (!float.IsFinite(v))
                throw new ArgumentException("The pixels must be finite numbers in 0..255; found NaN or infinity.", nameof(image));
        var engine = _pool.GetPredictionEngine();
        ScoreOutput output;
        IReadOnlyList<string> names;
        try
        {
            output = engine.Predict(new ImageInput { Image = image.Pixels });
            names = NamesOf(engine);
        }
        finally
        {
            _pool.ReturnPredictionEngine(engine);
        }
        var model = _pool.ModelOf(engine);
        var scores = new ClassScore[output.Score.Length];
        for (int i = 0; i < scores.Length; i++)
            scores[i] = new ClassScore(i, names[i], output.Score[i]);
        var reason = UnsureReason(scores, hasInk);
        return new DigitPrediction(scores, reason is not null, reason, image, preprocessed, model);
    }

    private string? UnsureReason(ClassScore[] scores, bool hasInk)
    {
        if (!hasInk)
            return "The image has no ink: nothing brighter than the ink threshold after preprocessing.";
        var ranked = scores.OrderByDescending(s => s.Score).ToArray();
        if (ranked[0].Score < _options.ConfidenceThreshold)
            return $"The top probability {ranked[0].Score:0.###} is below the confidence threshold {_options.ConfidenceThreshold:0.###}.";
        if (ranked.Length > 1 && ranked[0].Score - ranked[1].Score < _options.MinimumMargin)
            return $"The top two classes ('{ranked[0].ClassName}' {ranked[0].Score:0.###}, '{ranked[1].ClassName}' {ranked[1].Score:0.###}) are closer than the minimum margin {_options.MinimumMargin:0.###}.";
        return null;
    }

    private static bool HasInk(GrayImage image) => image.Pixels.Any(v => v > DigitPreprocessorOptions.Defaults.InkThreshold);

    /// <summary>The Score column's slot names, or "0".."K-1" when the model has none.</summary>
    private IReadOnlyList<string> NamesOf(PredictionEngine<ImageInput, ScoreOutput> engine)
    {
        if (engine.OutputSchema.GetClassNames(_options.ScoreColumnName) is { } names)
            return names;
        var size = engine.OutputSchema.GetColumnOrNull(_options.ScoreColumnName)?.Type is VectorDataViewType v ? v.Size : 0;
        return [.. Enumerable.Range(0, size).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    }

    /// <summary>A model saved with an input schema must have the image column in it (other columns get defaults).</summary>
    private static void CheckImageColumn(LoadedModel model, string imageColumnName)
    {
        if (model.InputSchema.Count > 0 && model.InputSchema.GetColumnOrNull(imageColumnName) is null)
            throw new ArgumentException(
                $"Model '{model.Name}' was saved with input columns {model.InputSchema.DescribeNames()}, none named '{imageColumnName}'. DigitClassifier feeds the 28x28 image to column '{imageColumnName}': set DigitClassifierOptions.ImageColumnName to the model's image column.");
    }

    private static void CheckSize(int length, int width, int height)
    {
        if (width <= 0 || height <= 0 || width > PngDecoder.MaxDimension || height > PngDecoder.MaxDimension)
            throw new ArgumentOutOfRangeException(nameof(width), $"Images must be 1..{PngDecoder.MaxDimension} px a side; found {width} x {height}.");
        if ((long)width * height != length)
            throw new ArgumentException($"A {width} x {height} image needs {(long)width * height} pixels; found {length}.", nameof(length));
    }

    private static SchemaDefinition InputDefinition(string imageColumnName) =>
    [
        new SchemaDefinition.Column(nameof(ImageInput.Image), new VectorDataViewType(NumberDataViewType.Single, Side, Side), imageColumnName)
        {
            Annotations = DataViewSchema.Annotations.Empty.WithImageShape(1, Side, Side),
        },
    ];

    /// <summary>The model's input: the 28x28 image.</summary>
    internal sealed class ImageInput
    {
        public float[] Image { get; set; } = [];
    }

    /// <summary>The model's output: the class probabilities.</summary>
    internal sealed class ScoreOutput
    {
        public float[] Score { get; set; } = [];
    }
}

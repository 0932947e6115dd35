using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetDigits;

/// <summary>
/// Classifies ordinary images of one handwritten digit with a saved model: a PNG, a grayscale pixel array of any size
/// (either polarity) or MNIST-format 28x28 pixels. Images are preprocessed the way MNIST was made
/// (<see cref="DigitPreprocessor"/>) and the answer carries the digit, every class probability, an unsure flag, whether
/// the image is a digit at all (see <see cref="DigitPrediction.IsDigit"/>) and the 28x28 image the model saw. Thread-safe:
/// predictions go through ML.NET prediction engines lent by a <see cref="PredictionEnginePool{TData, TPrediction}"/>.
/// </summary>
/// <remarks>
/// Works with any ML.NET model whose input is a 784-item Single column "Image" (28x28, white ink on black, 0..255, as
/// <c>LoadFromIdx</c> gives it) and whose output has a "Score" vector of class probabilities: SDCA chains that start by
/// scaling or normalising the pixels and CNN image classifiers alike. A UInt32 "Label" input the model was saved with is
/// given 0 (it is not used for prediction). Class names come from the model's PredictedLabel (or Label) key values.
/// "Not a digit" comes from ink rules (blank, a dot, too little ink) and then from the model's "OodScore" column when it
/// has one (a CNN trained with validation images); a model without it (SDCA, older CNNs) falls back to its top
/// probability (see <see cref="NotADigitReason"/> and <see cref="DigitClassifierOptions"/>).
/// <code>
/// using var classifier = DigitClassifier.Load("models/cnn-best.zip");
/// var prediction = classifier.Classify(File.ReadAllBytes("digit.png"));
/// Console.WriteLine(prediction.IsDigit ? $"{prediction.Digit} ({prediction.ConfidenceText})" : $"not a digit: {prediction.NotADigitReason}");
/// </code>
/// </remarks>
public sealed class DigitClassifier : IDisposable
{
    private const int Side = DigitPreprocessor.FrameSize;
    private const int PixelCount = Side * Side;

    private readonly DigitClassifierOptions _options;
    private readonly PredictionEnginePool<ImageInput, ScoreOutput> _pool;

    private readonly string _modelName;

    private DigitClassifier(DigitClassifierOptions? options, string modelName, Action<PredictionEnginePool<ImageInput, ScoreOutput>> addModel)
    {
        _modelName = modelName;
        _options = options ?? new DigitClassifierOptions();
        if (!(_options.ConfidenceThreshold is >= 0 and <= 1) || !(_options.MinimumMargin is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(options),
                $"ConfidenceThreshold and MinimumMargin must be in 0..1; found {_options.ConfidenceThreshold} and {_options.MinimumMargin}.");
        if (!(_options.DotMaximumExtent is >= 0 and <= 1) || !(_options.FallbackMinimumConfidence is >= 0 and <= 1) || !(_options.MinimumInk >= 0 && float.IsFinite(_options.MinimumInk)))
            throw new ArgumentOutOfRangeException(nameof(options),
                $"DotMaximumExtent and FallbackMinimumConfidence must be in 0..1 and MinimumInk a finite number >= 0; found {_options.DotMaximumExtent}, {_options.FallbackMinimumConfidence} and {_options.MinimumInk}.");
        if (!(_options.MinimumSegmentationConfidence is >= 0 and <= 1) || _options.NumberInkHeight < 16)
            throw new ArgumentOutOfRangeException(nameof(options),
                $"MinimumSegmentationConfidence must be in 0..1 and NumberInkHeight at least 16; found {_options.MinimumSegmentationConfidence} and {_options.NumberInkHeight}.");
        ArgumentNullException.ThrowIfNull(_options.NumberSegmentation, nameof(options));
        var pool = _options.Pool;
        var poolOptions = new PredictionEnginePoolOptions
        {
            MaximumRetainedEngines = pool.MaximumRetainedEngines,
            ReloadDebounce = pool.ReloadDebounce,
            PollingInterval = pool.PollingInterval,
            UseFileSystemEvents = pool.UseFileSystemEvents,
            GpuDeviceId = pool.GpuDeviceId,
            FallbackToCpu = pool.FallbackToCpu,
            InputSchemaDefinitionFor = schema => InputDefinition(schema, _options.ImageColumnName, _options.LabelColumnName),
            OutputSchemaDefinition = OutputDefinition(_options.ScoreColumnName, _options.OodScoreColumnName),
            // The out-of-distribution score is optional (SDCA has none); a missing Score is refused by ValidatePrediction.
            IgnoreMissingColumns = true,
            Validate = model =>
            {
                CheckInputColumns(model, _options.ImageColumnName, _options.LabelColumnName);
                pool.Validate?.Invoke(model);
            },
            ValidationExamples = ProbeImages(),
            ValidatePrediction = p => CheckProbabilities(((ScoreOutput)p).Score, _options.ScoreColumnName) ?? CheckOodScore(((ScoreOutput)p).OodScore),
        };
        _pool = new PredictionEnginePool<ImageInput, ScoreOutput>(poolOptions);
        _pool.ModelReloaded += (s, e) => ModelReloaded?.Invoke(this, e);
        _pool.ModelReloadFailed += (s, e) => ModelReloadFailed?.Invoke(this, e);
        try
        {
            addModel(_pool);
        }
        catch
        {
            _pool.Dispose();
            throw;
        }
    }

    /// <summary>Loads the ML.NET model file <paramref name="modelPath"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidModelException">The file is not a valid model, or its probabilities are not finite numbers in 0..1.</exception>
    /// <exception cref="ArgumentException">The model does not take a 28x28 "Image" column or gives no "Score" vector.</exception>
    public static DigitClassifier Load(string modelPath, DigitClassifierOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        var name = Path.GetFileNameWithoutExtension(modelPath);
        return new DigitClassifier(options, name, pool => pool.AddModelFromFile(name, modelPath, options?.WatchForChanges ?? false));
    }

    /// <summary>Serves an in-memory model (e.g. one just trained) saved, or to be saved, with <paramref name="inputSchema"/>.</summary>
    public static DigitClassifier FromModel(ITransformer model, DataViewSchema? inputSchema = null, DigitClassifierOptions? options = null, string name = "model")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new DigitClassifier(options, name, pool => pool.AddModel(name, model, inputSchema));
    }

    /// <summary>
    /// Loads a model shipped in the repository's models/ folder: "cnn" (cnn-best.zip), "sdca" (sdca.zip) or another file
    /// name; see <see cref="ShippedModels"/> for where it is looked for.
    /// </summary>
    /// <exception cref="FileNotFoundException">The model is in none of the searched folders (the message lists them).</exception>
    public static DigitClassifier LoadShipped(string name = "cnn", DigitClassifierOptions? options = null) =>
        Load(ShippedModels.Find(name), options);

    /// <summary>The model now served.</summary>
    public LoadedModel Model => _pool.GetLoadedModel(_modelName);

    /// <summary>The class names in the model's slot order (for digits "0".."9").</summary>
    public IReadOnlyList<string> ClassNames
    {
        get
        {
            var engine = _pool.GetPredictionEngine(_modelName);
            try
            {
                return NamesOf(engine);
            }
            finally
            {
                _pool.ReturnPredictionEngine(_modelName, engine);
            }
        }
    }

    /// <summary>Raised after a changed model file replaced the model (with <see cref="DigitClassifierOptions.WatchForChanges"/>).</summary>
    public event EventHandler<ModelReloadedEventArgs>? ModelReloaded;

    /// <summary>Raised when a changed model file was refused; the old model keeps serving.</summary>
    public event EventHandler<ModelReloadFailedEventArgs>? ModelReloadFailed;

    /// <summary>Classifies an image file's bytes (PNG, JPEG, ...; see <see cref="ImageCodec"/>).</summary>
    /// <exception cref="InvalidImageException">The bytes are not a readable image, or it is over 4096 px a side.</exception>
    public DigitPrediction Classify(byte[] imageFile)
    {
        ArgumentNullException.ThrowIfNull(imageFile);
        return Classify(ImageCodec.Decode(imageFile));
    }

    /// <summary>Classifies an image file read from <paramref name="imageFile"/>.</summary>
    public DigitPrediction Classify(Stream imageFile)
    {
        ArgumentNullException.ThrowIfNull(imageFile);
        return Classify(ImageCodec.Decode(imageFile));
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
        return Predict(digit.Final, digit, NotADigitRules.Measure(digit));
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
        return Predict(image, null, NotADigitRules.Measure(image, _options.Preprocessing.InkThreshold));
    }

    /// <summary>Classifies MNIST-format byte pixels (784, white ink on black) as they are; see <see cref="Classify28x28(ReadOnlySpan{float})"/>.</summary>
    public DigitPrediction Classify28x28(ReadOnlySpan<byte> mnistPixels)
    {
        if (mnistPixels.Length != PixelCount)
            throw new ArgumentException($"Classify28x28 takes {PixelCount} pixels (28 x 28, row-major); found {mnistPixels.Length}. Use Classify(pixels, width, height) for other sizes.", nameof(mnistPixels));
        var image = GrayImage.FromBytes(Side, Side, mnistPixels);
        return Predict(image, null, NotADigitRules.Measure(image, _options.Preprocessing.InkThreshold));
    }

    /// <summary>Reads a number (several digits on one line) in an image file's bytes; see <see cref="ReadNumber(GrayImage)"/>.</summary>
    /// <exception cref="InvalidImageException">The bytes are not a readable image, or it is over 4096 px a side.</exception>
    public NumberReading ReadNumber(byte[] imageFile)
    {
        ArgumentNullException.ThrowIfNull(imageFile);
        return ReadNumber(ImageCodec.Decode(imageFile));
    }

    /// <summary>Reads a number in grayscale byte pixels (row-major, 0..255, either polarity); see <see cref="ReadNumber(GrayImage)"/>.</summary>
    public NumberReading ReadNumber(ReadOnlySpan<byte> gray, int width, int height)
    {
        CheckSize(gray.Length, width, height);
        return ReadNumber(GrayImage.FromBytes(width, height, gray));
    }

    /// <summary>Reads a number in grayscale float pixels (row-major, 0..255, either polarity); see <see cref="ReadNumber(GrayImage)"/>.</summary>
    public NumberReading ReadNumber(ReadOnlySpan<float> gray, int width, int height)
    {
        CheckSize(gray.Length, width, height);
        return ReadNumber(GrayImage.FromFloats(width, height, gray));
    }

    /// <summary>
    /// Reads a number: the digits drawn on one line in <paramref name="image"/>, left to right, each classified on its own.
    /// The drawing is made white on black (its polarity found as for one digit), scaled down until its ink is at most
    /// <see cref="DigitClassifierOptions.NumberInkHeight"/> px tall, and cut into digits by <see cref="NumberSegmenter"/>,
    /// which asks this model how sure it is of each candidate piece before it splits touching digits. Every digit's answer
    /// can be "not a digit", and the reading is unsure when any digit is or a cut is doubtful (see <see cref="NumberReading.IsUnsure"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A pixel is NaN or infinite.</exception>
    public NumberReading ReadNumber(GrayImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        CheckSize(image.Pixels.Length, image.Width, image.Height);
        var segmentation = _options.NumberSegmentation;
        var ink = DigitPreprocessor.ToWhiteOnBlack(image, segmentation.Preprocessing, out _, out _);
        if (DigitPreprocessor.InkBox(ink, segmentation.Preprocessing.InkThreshold) is not { } box)
            return new NumberReading([], _options.MinimumSegmentationConfidence);

        // The ink with a margin, scaled so that it is at most NumberInkHeight tall; segments map back through (origin, scale).
        float scale = Math.Min(1f, _options.NumberInkHeight / (float)box.Height);
        int margin = (int)MathF.Ceiling(4 / scale);
        int x0 = Math.Max(0, box.X - margin), y0 = Math.Max(0, box.Y - margin);
        int x1 = Math.Min(ink.Width, box.X + box.Width + margin), y1 = Math.Min(ink.Height, box.Y + box.Height + margin);
        var region = DigitPreprocessor.Crop(ink, new PixelRect(x0, y0, x1 - x0, y1 - y0));
        var scaled = scale < 1f
            ? DigitPreprocessor.Resize(region, Math.Max(1, (int)MathF.Round(region.Width * scale)), Math.Max(1, (int)MathF.Round(region.Height * scale)))
            : region;
        float sx = region.Width / (float)scaled.Width, sy = region.Height / (float)scaled.Height;

        // Crops are already white on black with a zero background: read them as they are.
        var whiteOnBlack = new DigitPreprocessorOptions { Inversion = InversionMode.Never, RemoveBackground = false, InkThreshold = segmentation.Preprocessing.InkThreshold };
        var segments = NumberSegmenter.Segment(scaled, crop => ClassifyWhiteOnBlack(crop, whiteOnBlack).Confidence, segmentation.With(whiteOnBlack));
        var digits = new List<NumberDigit>(segments.Count);
        foreach (var segment in segments)
        {
            var b = segment.Bounds;
            int left = x0 + (int)MathF.Floor(b.X * sx), top = y0 + (int)MathF.Floor(b.Y * sy);
            int right = Math.Min(image.Width, x0 + (int)MathF.Ceiling((b.X + b.Width) * sx)), bottom = Math.Min(image.Height, y0 + (int)MathF.Ceiling((b.Y + b.Height) * sy));
            digits.Add(new NumberDigit(new PixelRect(left, top, right - left, bottom - top), segment, ClassifyWhiteOnBlack(segment.Image, whiteOnBlack)));
        }
        return new NumberReading(digits, _options.MinimumSegmentationConfidence);
    }

    private DigitPrediction ClassifyWhiteOnBlack(GrayImage crop, DigitPreprocessorOptions whiteOnBlack)
    {
        var digit = DigitPreprocessor.Preprocess(crop, whiteOnBlack);
        return Predict(digit.Final, digit, NotADigitRules.Measure(digit));
    }

    /// <summary>Reads the model file again now (see <see cref="PredictionEnginePool{TData, TPrediction}.Reload"/>).</summary>
    public bool Reload() => _pool.Reload(_modelName);

    public void Dispose() => _pool.Dispose();

    private DigitPrediction Predict(GrayImage image, PreprocessedDigit? preprocessed, NotADigitRules.Ink ink)
    {
        foreach (var v in image.Pixels)
            if (!float.IsFinite(v))
                throw new ArgumentException("The pixels must be finite numbers in 0..255; found NaN or infinity.", nameof(image));
        var engine = _pool.GetPredictionEngine(_modelName);
        ScoreOutput output;
        IReadOnlyList<string> names;
        LoadedModel model;
        try
        {
            output = engine.Predict(new ImageInput { Image = image.Pixels });
            names = NamesOf(engine);
            model = _pool.ModelOf(engine);
        }
        finally
        {
            _pool.ReturnPredictionEngine(_modelName, engine);
        }
        var scores = new ClassScore[output.Score.Length];
        for (int i = 0; i < scores.Length; i++)
            scores[i] = new ClassScore(i, names[i], output.Score[i]);
        float? oodScore = output.OodScore is { Length: 1 } ood ? ood[0] : null;
        var (notADigit, explanation) = NotADigitRules.Evaluate(ink, oodScore, scores.Max(s => s.Score), _options);
        var reason = explanation ?? UnsureReason(scores);
        return new DigitPrediction(scores, notADigit, oodScore, reason is not null, reason, image, preprocessed, model);
    }

    private string? UnsureReason(ClassScore[] scores)
    {
        var ranked = scores.OrderByDescending(s => s.Score).ToArray();
        if (ranked[0].Score < _options.ConfidenceThreshold)
            return $"The top probability {ranked[0].Score:0.###} is below the confidence threshold {_options.ConfidenceThreshold:0.###}.";
        if (ranked.Length > 1 && ranked[0].Score - ranked[1].Score < _options.MinimumMargin)
            return $"The top two classes ('{ranked[0].ClassName}' {ranked[0].Score:0.###}, '{ranked[1].ClassName}' {ranked[1].Score:0.###}) are closer than the minimum margin {_options.MinimumMargin:0.###}.";
        return null;
    }

    /// <summary>
    /// The class names in Score's slot order: the key values of PredictedLabel (or, when the model maps it back to a value,
    /// of its Label key column), else Score's slot names, else "0".."K-1".
    /// </summary>
    private IReadOnlyList<string> NamesOf(PredictionEngine<ImageInput, ScoreOutput> engine)
    {
        var schema = engine.OutputSchema;
        int size = schema.GetColumnOrNull(_options.ScoreColumnName)?.Type is VectorDataViewType v ? v.Size : 0;
        foreach (var name in new[] { ColumnNames.PredictedLabel, _options.LabelColumnName })
            if (schema.GetColumnOrNull(name) is { Type: KeyDataViewType key } column && (int)key.Count == size && MlNetDigits.ClassNames.KeyValueTexts(column) is { } names)
                return names;
        if (schema.GetColumnOrNull(_options.ScoreColumnName) is { } score && score.HasSlotNames())
        {
            VBuffer<ReadOnlyMemory<char>> slots = default;
            score.GetSlotNames(ref slots);
            if (slots.Length == size)
                return [.. slots.DenseValues().Select(s => s.ToString())];
        }
        return [.. Enumerable.Range(0, size).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    }

    /// <summary>The model must read the image column as 784 Singles; a label input, if any, must be UInt32 or a UInt32 key.</summary>
    private static void CheckInputColumns(LoadedModel model, string imageColumnName, string labelColumnName)
    {
        if (model.InputSchema.Count == 0)
            return;
        if (model.InputSchema.GetColumnOrNull(imageColumnName) is not { } image)
            throw new ArgumentException(
                $"Model {model} was saved with input columns {string.Join(", ", model.InputSchema.Select(c => $"'{c.Name}'"))}, none named '{imageColumnName}'. DigitClassifier feeds the 28x28 image to column '{imageColumnName}': set DigitClassifierOptions.ImageColumnName to the model's image column.");
        if (image.Type is not VectorDataViewType { ItemType: var item, Size: PixelCount } || item != NumberDataViewType.Single)
            throw new ArgumentException($"Model {model} reads '{imageColumnName}' as {image.Type}; DigitClassifier gives 784 Singles (28 x 28).");
    }

    /// <summary>The probabilities must be finite numbers in 0..1 that add up to 1: a model with overflowing weights gives NaN.</summary>
    private static string? CheckProbabilities(float[] score, string scoreColumnName)
    {
        if (score.Length == 0)
            return $"it gives no '{scoreColumnName}' column of class probabilities (set DigitClassifierOptions.ScoreColumnName to the model's).";
        if (score.Length < 2)
            return $"its Score has {score.Length} value(s); a classifier gives one probability per class.";
        double sum = 0;
        foreach (var p in score)
        {
            if (!float.IsFinite(p) || p < -1e-6f || p > 1 + 1e-6f)
                return $"it gives the probability {p} on a probe image; probabilities must be finite numbers in 0..1 (are its weights overflowing?).";
            sum += p;
        }
        return Math.Abs(sum - 1) > 1e-3 ? $"its probabilities on a probe image add up to {sum:G6}, not 1." : null;
    }

    /// <summary>An out-of-distribution score, when the model gives one, must be a single finite number.</summary>
    private static string? CheckOodScore(float[] oodScore) => oodScore switch
    {
        [] => null,
        [var s] when float.IsFinite(s) => null,
        [var s] => $"it gives the out-of-distribution score {s} on a probe image; it must be a finite number.",
        _ => $"its out-of-distribution score has {oodScore.Length} values; one per image was expected.",
    };

    /// <summary>Probe images every model must answer sensibly before it serves: blank, full ink, and a stroke.</summary>
    private static IReadOnlyList<object> ProbeImages()
    {
        var blank = new float[PixelCount];
        var full = Enumerable.Repeat(255f, PixelCount).ToArray();
        var stroke = new float[PixelCount];
        for (int y = 4; y < 24; y++)
            for (int x = 13; x < 16; x++)
                stroke[y * Side + x] = 255;
        return [new ImageInput { Image = blank }, new ImageInput { Image = full }, new ImageInput { Image = stroke }];
    }

    private static void CheckSize(int length, int width, int height)
    {
        if (width <= 0 || height <= 0 || width > ImageCodec.MaxDimension || height > ImageCodec.MaxDimension)
            throw new ArgumentOutOfRangeException(nameof(width), $"Images must be 1..{ImageCodec.MaxDimension} px a side; found {width} x {height}.");
        if ((long)width * height != length)
            throw new ArgumentException($"A {width} x {height} image needs {(long)width * height} pixels; found {length}.", nameof(length));
    }

    /// <summary>
    /// The image member typed as the model's own image column was saved (flat 784, or 28 x 28), so that transforms fitted
    /// on it (a normaliser) accept it; a flat 784 vector for a model saved without a schema.
    /// </summary>
    private static SchemaDefinition InputDefinition(DataViewSchema modelSchema, string imageColumnName, string labelColumnName)
    {
        var definition = SchemaDefinition.Create(typeof(ImageInput), SchemaDefinition.Direction.Read);
        var image = definition.Single(c => c.MemberName == nameof(ImageInput.Image));
        var label = definition.Single(c => c.MemberName == nameof(ImageInput.Label));
        image.ColumnName = imageColumnName;
        image.ColumnType = modelSchema.GetColumnOrNull(imageColumnName)?.Type is VectorDataViewType { Size: PixelCount, ItemType: var item } saved && item == NumberDataViewType.Single
            ? saved
            : new VectorDataViewType(NumberDataViewType.Single, PixelCount);
        label.ColumnName = labelColumnName;
        return definition;
    }

    private static SchemaDefinition OutputDefinition(string scoreColumnName, string oodScoreColumnName)
    {
        var definition = SchemaDefinition.Create(typeof(ScoreOutput), SchemaDefinition.Direction.Write);
        definition.Single(c => c.MemberName == nameof(ScoreOutput.Score)).ColumnName = scoreColumnName;
        definition.Single(c => c.MemberName == nameof(ScoreOutput.OodScore)).ColumnName = oodScoreColumnName;
        return definition;
    }

    /// <summary>The model's input: the 28x28 image, and a label the model may have been saved to read (always 0).</summary>
    internal sealed class ImageInput
    {
        public float[] Image { get; set; } = [];

        public uint Label { get; set; }
    }

    /// <summary>The model's output: the class probabilities, and the out-of-distribution score (empty when the model has none).</summary>
    internal sealed class ScoreOutput
    {
        public float[] Score { get; set; } = [];

        public float[] OodScore { get; set; } = [];
    }
}

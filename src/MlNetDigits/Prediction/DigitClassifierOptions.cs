
namespace MlNetDigits;

/// <summary>Settings of a <see cref="DigitClassifier"/>; defaults live in <see cref="Defaults"/>.</summary>
public sealed class DigitClassifierOptions
{
    /// <summary>The default settings.</summary>
    public static class Defaults
    {
        /// <summary>A prediction whose top probability is below this is flagged unsure: 0.8.</summary>
        public const float ConfidenceThreshold = 0.8f;

        /// <summary>A prediction whose top two probabilities are closer than this is flagged unsure: 0 (off).</summary>
        public const float MinimumMargin = 0f;

        /// <summary>The model's image column: "Image" (Vector&lt;Single, 28, 28&gt;, white ink on black, 0..255).</summary>
        public const string ImageColumnName = "Image";

        /// <summary>The model's probabilities column: "Score".</summary>
        public const string ScoreColumnName = "Score";

        /// <summary>The label input a model may have been saved to read (given 0): "Label".</summary>
        public const string LabelColumnName = "Label";

        /// <summary>The model's out-of-distribution score column, when it has one: "OodScore" (see <see cref="OodCalibration"/>).</summary>
        public const string OodScoreColumnName = "OodScore";

        /// <summary>
        /// Ink whose box's longer side spans at most this share of the image's shorter side is a dot: 0.1. A click of the
        /// web pad's brush spans 0.07; every MNIST test digit spans at least 0.68 of its 28x28 frame (bench/RESULTS.md).
        /// </summary>
        public const float DotMaximumExtent = 0.1f;

        /// <summary>
        /// Less ink than this in the 28x28 image the model sees (Σ pixels / 255: full-intensity pixels) is too little for a
        /// digit: 10. The least-inked MNIST test digit has 22 (bench/RESULTS.md).
        /// </summary>
        public const float MinimumInk = 10f;

        /// <summary>
        /// For a model without an out-of-distribution score (SDCA, CNNs trained before it existed): a top probability below
        /// this is not digit-like: 0.4. It flags 0.8 % of MNIST test with the shipped SDCA model (0.5 would flag 2.7 %) and
        /// 0.06 % with the shipped one-epoch CNN; it catches few non-digits (bench/RESULTS.md).
        /// </summary>
        public const float FallbackMinimumConfidence = 0.4f;

        /// <summary>
        /// A digit of a number whose segmentation confidence (<see cref="DigitSegment.SegmentationConfidence"/>) is below
        /// this makes the reading unsure: 0.8. On the numbers benchmark, flagging digits below 0.8 (or with a top
        /// probability below 0.8) flags 13 % of numbers and catches 69 % of the wrong ones (bench/RESULTS.md).
        /// </summary>
        public const float MinimumSegmentationConfidence = 0.8f;

        /// <summary>
        /// <see cref="DigitClassifier.ReadNumber(GrayImage)"/> scales a drawing down until its ink is at most this many
        /// pixels tall before segmenting it: 40. The segmenter's cut model was fitted on MNIST-sized digits (about 20-35 px
        /// tall, strokes 2-4 px); a 280-px canvas drawn at full height would otherwise be read at 7x that scale, slowly.
        /// </summary>
        public const int NumberInkHeight = 40;
    }

    /// <summary>See <see cref="Defaults.ConfidenceThreshold"/>; 0..1.</summary>
    public float ConfidenceThreshold { get; set; } = Defaults.ConfidenceThreshold;

    /// <summary>See <see cref="Defaults.MinimumMargin"/>; 0..1.</summary>
    public float MinimumMargin { get; set; } = Defaults.MinimumMargin;

    /// <summary>How images are turned into MNIST-style 28x28 inputs (inversion, ink threshold, background removal).</summary>
    public DigitPreprocessorOptions Preprocessing { get; set; } = new();

    /// <summary>Reload the model when its file changes (see <see cref="PredictionEnginePool{TData, TPrediction}"/>).</summary>
    public bool WatchForChanges { get; set; }

    /// <summary>Pool settings (debounce, polling, engines kept, GPU); its column mapping and validation are set by the classifier.</summary>
    public PredictionEnginePoolOptions Pool { get; set; } = new();

    /// <summary>See <see cref="Defaults.ImageColumnName"/>.</summary>
    public string ImageColumnName { get; set; } = Defaults.ImageColumnName;

    /// <summary>See <see cref="Defaults.ScoreColumnName"/>.</summary>
    public string ScoreColumnName { get; set; } = Defaults.ScoreColumnName;

    /// <summary>See <see cref="Defaults.LabelColumnName"/>.</summary>
    public string LabelColumnName { get; set; } = Defaults.LabelColumnName;

    /// <summary>See <see cref="Defaults.OodScoreColumnName"/>.</summary>
    public string OodScoreColumnName { get; set; } = Defaults.OodScoreColumnName;

    /// <summary>See <see cref="Defaults.DotMaximumExtent"/>; 0..1 (0: no dot rule).</summary>
    public float DotMaximumExtent { get; set; } = Defaults.DotMaximumExtent;

    /// <summary>See <see cref="Defaults.MinimumInk"/>; 0 or more (0: no too-little-ink rule).</summary>
    public float MinimumInk { get; set; } = Defaults.MinimumInk;

    /// <summary>See <see cref="Defaults.FallbackMinimumConfidence"/>; 0..1 (0: models without the score never answer "not digit-like").</summary>
    public float FallbackMinimumConfidence { get; set; } = Defaults.FallbackMinimumConfidence;

    /// <summary>See <see cref="Defaults.MinimumSegmentationConfidence"/>; 0..1.</summary>
    public float MinimumSegmentationConfidence { get; set; } = Defaults.MinimumSegmentationConfidence;

    /// <summary>See <see cref="Defaults.NumberInkHeight"/>; 16 or more.</summary>
    public int NumberInkHeight { get; set; } = Defaults.NumberInkHeight;

    /// <summary>
    /// How <see cref="DigitClassifier.ReadNumber(GrayImage)"/> finds the digits of a number (see <see cref="NumberSegmenter"/>);
    /// its <see cref="NumberSegmenterOptions.Preprocessing"/> decides the drawing's polarity and ink threshold.
    /// </summary>
    public NumberSegmenterOptions NumberSegmentation { get; set; } = new();
}


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
}

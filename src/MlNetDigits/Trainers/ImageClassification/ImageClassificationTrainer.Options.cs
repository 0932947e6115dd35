using Microsoft.ML;
using MlNetDigits.Engine.Backends;

namespace MlNetDigits;

public sealed partial class ImageClassificationTrainer
{
    /// <summary>The defaults of <see cref="Options"/> that do not come from the preset.</summary>
    public static class Defaults
    {
        public const string LabelColumnName = "Label";
        public const string FeatureColumnName = "Image";
        public const string Preset = "fast";
        public const double ValidationSetFraction = 0.1;
        public const int ProgressInterval = 50;
        public const bool Calibrate = true;

        /// <summary>
        /// The share of validation images the out-of-distribution threshold may flag: 0.8 %. The validation images come from
        /// the training images' writers; new writers score a little higher (at 1 % of validation, 1.01-1.06 % of MNIST
        /// test's other writers were flagged), so the target keeps a fifth in hand to stay at 1 % or less on new digits.
        /// </summary>
        public const double OodFalsePositiveRate = 0.008;

        /// <summary>
        /// The most training images the out-of-distribution score's class means and covariance are fitted on: 12,000, taken
        /// evenly across the training rows. Ten classes of 256 features need far fewer than MNIST's 54,000; a forward pass
        /// over all of them was a third of the "fast" preset's training job.
        /// </summary>
        public const int OodTrainingImages = 12_000;

        /// <summary>
        /// The most features (inputs of the last Dense layer) the out-of-distribution score is fitted on: 1024, so its two
        /// F x F whitening matrices stay within 4 MB each.
        /// </summary>
        public const int MaximumOodFeatures = 1024;

        /// <summary>The pixel scale: inputs are divided by it before normalisation (raw 0..255 pixels → 0..1).</summary>
        public const float PixelScale = 255f;

        /// <summary>MNIST's training-set mean of the scaled pixels.</summary>
        public const float Mean = 0.1307f;

        /// <summary>MNIST's training-set standard deviation of the scaled pixels.</summary>
        public const float StandardDeviation = 0.3081f;

        /// <summary>The batch size used for validation and prediction.</summary>
        public const int EvaluationBatchSize = 500;
    }

    /// <summary>
    /// Options of <see cref="ImageClassificationTrainer"/>. Names follow Microsoft.ML.Vision's
    /// <c>ImageClassificationTrainer.Options</c> where the meaning carries over (BatchSize, LearningRate, MetricsCallback,
    /// ValidationSet, ValidationSetFraction, EarlyStoppingCriteria, WorkspacePath, TestOnTrainSet; Epochs for Vision's Epoch).
    /// A null value takes the preset's value (see <see cref="ImageClassificationPreset"/>); optimizer hyperparameters left
    /// null take the preset's when <see cref="Optimizer"/> is null too, else PyTorch's defaults for the chosen optimizer.
    /// Every value is resolved once, when training starts, into <see cref="ImageClassificationSettings"/>.
    /// </summary>
    public sealed class Options
    {
        /// <summary>The label: a UInt32 key (MapValueToKey makes one), as every ML.NET multiclass trainer takes.</summary>
        public string LabelColumnName { get; set; } = Defaults.LabelColumnName;

        /// <summary>
        /// The images: raw pixels (0..255) in a known-size Single vector whose shape is its ImageShape annotation (as
        /// LoadFromIdx gives it), its dimensions (H, W) or (C, H, W), or — for a square number of values — one square channel.
        /// </summary>
        public string FeatureColumnName { get; set; } = Defaults.FeatureColumnName;

        /// <summary>"fast", "classic" or "best".</summary>
        public string Preset { get; set; } = Defaults.Preset;

        /// <summary>
        /// A user-defined architecture replacing the preset's: layer specs such as "conv 32 3 pad=1", "bn", "relu",
        /// "maxpool 2", "dropout 0.25", "flatten", "dense 128" (see <see cref="NetworkSpec"/>). The classifier head
        /// ("flatten" if needed, then "dense K") is appended.
        /// </summary>
        public IReadOnlyList<string>? Layers { get; set; }

        public int? Epochs { get; set; }

        public int? BatchSize { get; set; }

        /// <summary>"sgd", "adam", "adamw", "nadam" or "adadelta".</summary>
        public string? Optimizer { get; set; }

        public double? LearningRate { get; set; }

        /// <summary>SGD momentum.</summary>
        public double? Momentum { get; set; }

        /// <summary>SGD Nesterov momentum.</summary>
        public bool? Nesterov { get; set; }

        /// <summary>Adam-family beta1.</summary>
        public double? Beta1 { get; set; }

        /// <summary>Adam-family beta2.</summary>
        public double? Beta2 { get; set; }

        /// <summary>Adam-family and Adadelta epsilon.</summary>
        public double? Epsilon { get; set; }

        /// <summary>L2 weight decay (decoupled for AdamW).</summary>
        public double? WeightDecay { get; set; }

        /// <summary>Gradient-norm clipping threshold; null: no clipping.</summary>
        public double? GradientClipNorm { get; set; }

        /// <summary>
        /// "none", "step", "exponential", "cosine" or "onecycle". Step and exponential act per epoch; cosine and one-cycle
        /// per batch over the whole run (one-cycle peaks at <see cref="LearningRate"/>, without momentum cycling).
        /// </summary>
        public string? LearningRateSchedule { get; set; }

        /// <summary>The step schedule's decay per <see cref="ScheduleStepSize"/> epochs, or the exponential schedule's per-epoch factor.</summary>
        public double? ScheduleGamma { get; set; }

        /// <summary>Epochs between the step schedule's decays.</summary>
        public int? ScheduleStepSize { get; set; }

        /// <summary>Label smoothing of the cross-entropy targets, in [0, 1); null: the preset's.</summary>
        public double? LabelSmoothing { get; set; }

        /// <summary>Visit the training images in a new seeded order every epoch; null: the preset's ("fast" keeps file order).</summary>
        public bool? Shuffle { get; set; }

        /// <summary>
        /// The share of the training rows held out (seeded) for validation, early stopping and calibration, in [0, 1);
        /// ignored when <see cref="ValidationSet"/> is given. 0 trains on every row (no validation, no calibration).
        /// </summary>
        public double ValidationSetFraction { get; set; } = Defaults.ValidationSetFraction;

        /// <summary>Explicit validation images (same columns as the training data, the label keyed the same way).</summary>
        public IDataView? ValidationSet { get; set; }

        /// <summary>Early stopping on a validation metric; null: train every epoch.</summary>
        public EarlyStoppingOptions? EarlyStoppingCriteria { get; set; }

        /// <summary>
        /// After each epoch, also measure loss and accuracy on the training rows in evaluation mode (no dropout or
        /// augmentation; one extra forward pass over them) and report them as "trainEvalLoss"/"trainEvalAccuracy".
        /// </summary>
        public bool TestOnTrainSet { get; set; }

        /// <summary>
        /// Training augmentation. Left unset it takes the preset's ("best" augments, "fast"/"classic" do not); set it to
        /// null to turn augmentation off, or to options with the parts wanted.
        /// </summary>
        public ImageAugmentationOptions? Augmentation
        {
            get => _augmentation;
            set
            {
                _augmentation = value;
                AugmentationSet = true;
            }
        }

        /// <summary>True once <see cref="Augmentation"/> has been assigned (null included).</summary>
        internal bool AugmentationSet { get; private set; }

        private ImageAugmentationOptions? _augmentation;

        /// <summary>Per-channel mean of the scaled pixels (x / PixelScale); one value for all channels, or one per channel.</summary>
        public float[] Mean { get; set; } = [Defaults.Mean];

        /// <summary>Per-channel standard deviation of the scaled pixels.</summary>
        public float[] StandardDeviation { get; set; } = [Defaults.StandardDeviation];

        /// <summary>Inputs are divided by this before the mean is subtracted (255 for raw pixels; 1 for pixels already in 0..1).</summary>
        public float PixelScale { get; set; } = Defaults.PixelScale;

        /// <summary>Fit a temperature on the validation images after training (needs validation images).</summary>
        public bool Calibrate { get; set; } = Defaults.Calibrate;

        /// <summary>
        /// After training, fit the out-of-distribution ("not a digit") score on the training images, choose its threshold so
        /// that at most this share of the validation images scores above it, and give the model an "OodScore" column (see
        /// <see cref="OodCalibration"/>). In [0, 1); 0 turns the score off. Needs validation images (without them the model
        /// has no OodScore).
        /// </summary>
        public double OodFalsePositiveRate { get; set; } = Defaults.OodFalsePositiveRate;

        /// <summary>
        /// The most training images the out-of-distribution score is fitted on, taken evenly across the training rows
        /// (the same ones for the same data and seed); 0: all of them.
        /// </summary>
        public int OodTrainingImages { get; set; } = Defaults.OodTrainingImages;

        /// <summary>
        /// The seed of initialisation, shuffling, dropout, augmentation and the validation split; null: drawn from the
        /// MLContext's seeded source (so <c>new MLContext(seed: 1)</c> makes runs repeatable).
        /// </summary>
        public int? Seed { get; set; }

        /// <summary>Threads for the kernels and augmentation; null: all cores.</summary>
        public int? NumberOfThreads { get; set; }

        /// <summary>
        /// The backend to train on (OpenBLAS, the managed GEMM, or <see cref="BackendKind.Gpu"/>: the first CUDA device,
        /// an error naming the devices found when there is none); null: the kind of <see cref="Kernels.Default"/>, which
        /// follows MLND_BACKEND and otherwise takes OpenBLAS where libopenblas.so.0 loads.
        /// </summary>
        public BackendKind? Backend { get; set; }

        /// <summary>Report progress every this many batches (0: only per epoch).</summary>
        public int ProgressInterval { get; set; } = Defaults.ProgressInterval;

        /// <summary>Called with every progress report (messages, every <see cref="ProgressInterval"/> batches, each epoch).</summary>
        public Action<TrainingProgress>? MetricsCallback { get; set; }

        /// <summary>Stops training (with <see cref="OperationCanceledException"/>) between batches when cancelled.</summary>
        public CancellationToken CancellationToken { get; set; }

        /// <summary>A folder where a checkpoint (checkpoint.zip) is written atomically at the end of each epoch.</summary>
        public string? WorkspacePath { get; set; }

        /// <summary>A checkpoint file, or a folder holding checkpoint.zip, to continue from; the run continues bit-identically.</summary>
        public string? ResumeFrom { get; set; }

        /// <summary>
        /// A trained CNN to start from (fine-tuning): its layers, weights and normalisation replace the preset's network and
        /// its initialisation; the data's classes must be the model's. The other settings (epochs, learning rate,
        /// augmentation...) still come from the options and the preset: fine-tuning usually wants few epochs and a low rate.
        /// </summary>
        public ImageClassificationTransformer? InitialModel { get; set; }

        /// <summary>
        /// The GPU that ONNX Runtime runs the trained model on (ML.NET's OnnxTransformer); null: the CPU. Needs the
        /// Microsoft.ML.OnnxRuntime.Gpu.Linux package in the app instead of Microsoft.ML.OnnxRuntime. Training itself runs
        /// on <see cref="Backend"/>. A loaded model takes MLContext.GpuDeviceId instead.
        /// </summary>
        public int? GpuDeviceId { get; set; }

        /// <summary>With <see cref="GpuDeviceId"/>: run on the CPU when the GPU cannot be used, instead of failing.</summary>
        public bool FallbackToCpu { get; set; }

        internal Options Clone() => (Options)MemberwiseClone();
    }
}

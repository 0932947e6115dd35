using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetDigits;

/// <summary>Settings of a <see cref="PredictionEnginePool{TIn, TOut}"/>; defaults live in <see cref="Defaults"/>.</summary>
public sealed class PredictionEnginePoolOptions
{
    /// <summary>The default settings.</summary>
    public static class Defaults
    {
        /// <summary>How long a burst of file events must stay quiet before the file is read: 300 ms.</summary>
        public static readonly TimeSpan ReloadDebounce = TimeSpan.FromMilliseconds(300);

        /// <summary>How often the file's timestamp and size are checked as well, in case a file event is missed: 2 s.</summary>
        public static readonly TimeSpan PollingInterval = TimeSpan.FromSeconds(2);

        /// <summary>Idle engines kept per model: twice the processor count.</summary>
        public static int MaximumRetainedEngines => Environment.ProcessorCount * 2;

        /// <summary>
        /// Threads ONNX Runtime uses inside one prediction: 1. A pool serves concurrent callers, each on its own thread, so
        /// one thread per prediction keeps every core busy without the callers' predictions competing for ONNX Runtime's
        /// own worker threads.
        /// </summary>
        public const int OnnxIntraOpThreads = 1;
    }

    /// <summary>How the input class maps to columns (ML.NET's SchemaDefinition; null: by member names and attributes).</summary>
    public SchemaDefinition? InputSchemaDefinition { get; set; }

    /// <summary>
    /// The input mapping for a given model, from the schema it was saved with (e.g. to type a vector member as the model's
    /// column is typed); when set it takes the place of <see cref="InputSchemaDefinition"/>.
    /// </summary>
    public Func<DataViewSchema, SchemaDefinition>? InputSchemaDefinitionFor { get; set; }

    /// <summary>How the output class maps to columns (null: by member names and attributes).</summary>
    public SchemaDefinition? OutputSchemaDefinition { get; set; }

    /// <summary>Let output members without a matching column keep their default value instead of failing (ML.NET's ignoreMissingColumns).</summary>
    public bool IgnoreMissingColumns { get; set; }

    /// <summary>Run ONNX models on this GPU (MLContext.GpuDeviceId; needs Microsoft.ML.OnnxRuntime.Gpu.Linux); null: the CPU.</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>With <see cref="GpuDeviceId"/>: fall back to the CPU when the GPU cannot be used.</summary>
    public bool FallbackToCpu { get; set; }

    /// <summary>
    /// Threads ONNX Runtime uses inside one prediction of a CNN model loaded by this pool (see
    /// <see cref="Defaults.OnnxIntraOpThreads"/>); null: ONNX Runtime's default (all cores for each prediction).
    /// </summary>
    public int? OnnxIntraOpThreads { get; set; } = Defaults.OnnxIntraOpThreads;

    /// <summary>Idle engines kept per model; more can be in use at once, the extra ones are dropped when returned.</summary>
    public int MaximumRetainedEngines { get; set; } = Defaults.MaximumRetainedEngines;

    /// <summary>See <see cref="Defaults.ReloadDebounce"/>.</summary>
    public TimeSpan ReloadDebounce { get; set; } = Defaults.ReloadDebounce;

    /// <summary>See <see cref="Defaults.PollingInterval"/>; <see cref="TimeSpan.Zero"/> turns polling off (file events only).</summary>
    public TimeSpan PollingInterval { get; set; } = Defaults.PollingInterval;

    /// <summary>
    /// Listen to file-system events (default true). Turn it off where events are unreliable or watchers are scarce
    /// (network shares, some containers): changes are then noticed by polling alone, within <see cref="PollingInterval"/>.
    /// </summary>
    public bool UseFileSystemEvents { get; set; } = true;

    /// <summary>
    /// Input objects (of the pool's input type) predicted with every newly loaded model before it is swapped in; a model
    /// that throws on one, or whose prediction <see cref="ValidatePrediction"/> refuses, is refused. Empty: a new model is
    /// only checked to load and to fit the input and output classes.
    /// </summary>
    public IReadOnlyList<object> ValidationExamples { get; set; } = [];

    /// <summary>A check of each prediction made for <see cref="ValidationExamples"/> (return a reason to refuse the model, null to accept).</summary>
    public Func<object, string?>? ValidatePrediction { get; set; }

    /// <summary>An extra check of a newly loaded model before it is swapped in (throw to refuse it).</summary>
    public Action<LoadedModel>? Validate { get; set; }
}

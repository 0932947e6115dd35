using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Prediction;
using Microsoft.Extensions.DependencyInjection;

namespace MlNetDigits.Extensions;

/// <summary>Says where the pool registered by <c>AddPredictionEnginePool</c> gets its model.</summary>
public sealed class PredictionEnginePoolBuilder<TIn, TOut> where TIn : class where TOut : class, new()
{
    internal PredictionEnginePoolBuilder(IServiceCollection services, PredictionEnginePoolSource<TIn, TOut> source)
    {
        Services = services;
        Source = source;
    }

    /// <summary>The service collection, for chaining further registrations.</summary>
    public IServiceCollection Services { get; }

    internal PredictionEnginePoolSource<TIn, TOut> Source { get; }

    /// <summary>
    /// Serves the model file <paramref name="filePath"/> (relative paths are resolved against the host's content root, or
    /// the current directory without a host). With <paramref name="watchForChanges"/> the pool reloads the file when it
    /// changes; a file that fails to load is logged as a warning and the old model keeps serving.
    /// </summary>
    public PredictionEnginePoolBuilder<TIn, TOut> FromFile(string filePath, bool watchForChanges = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        Source.FilePath = filePath;
        Source.WatchForChanges = watchForChanges;
        Source.Model = null;
        return this;
    }

    /// <summary>Serves an in-memory model.</summary>
    public PredictionEnginePoolBuilder<TIn, TOut> FromModel(ITransformer model, DataViewSchema? inputSchema = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Source.Model = (model, inputSchema);
        Source.FilePath = null;
        return this;
    }
}

/// <summary>What the builder recorded (one per registered pool type).</summary>
internal sealed class PredictionEnginePoolSource<TIn, TOut> where TIn : class where TOut : class, new()
{
    public string? FilePath { get; set; }

    public bool WatchForChanges { get; set; }

    public (ITransformer Model, DataViewSchema? InputSchema)? Model { get; set; }

    public Action<PredictionEnginePoolOptions>? Configure { get; set; }
}

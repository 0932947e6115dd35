using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML;

namespace MlNetDigits.Extensions;

/// <summary>Says where the pool registered by <c>AddPredictionEnginePool</c> gets its models (call once per named model).</summary>
public sealed class PredictionEnginePoolBuilder<TData, TPrediction> where TData : class where TPrediction : class, new()
{
    internal PredictionEnginePoolBuilder(IServiceCollection services, PredictionEnginePoolSource<TData, TPrediction> source)
    {
        Services = services;
        Source = source;
    }

    /// <summary>The service collection, for chaining further registrations.</summary>
    public IServiceCollection Services { get; }

    internal PredictionEnginePoolSource<TData, TPrediction> Source { get; }

    /// <summary>Serves the model file <paramref name="filePath"/> as the default model (the empty name).</summary>
    public PredictionEnginePoolBuilder<TData, TPrediction> FromFile(string filePath, bool watchForChanges = true) =>
        FromFile(PredictionEnginePool<TData, TPrediction>.DefaultModelName, filePath, watchForChanges);

    /// <summary>
    /// Serves the ML.NET model file <paramref name="filePath"/> as <paramref name="modelName"/> (relative paths are resolved
    /// against the host's content root, or the current directory without a host). With <paramref name="watchForChanges"/>
    /// the pool reloads the file when it changes; a file that fails to load or validate is logged as a warning and the old
    /// model keeps serving.
    /// </summary>
    public PredictionEnginePoolBuilder<TData, TPrediction> FromFile(string modelName, string filePath, bool watchForChanges)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        Source.Add(modelName, new PredictionEnginePoolSource<TData, TPrediction>.Model(filePath, watchForChanges, null, null));
        return this;
    }

    /// <summary>Serves an in-memory model as <paramref name="modelName"/> (the default model when empty).</summary>
    public PredictionEnginePoolBuilder<TData, TPrediction> FromModel(ITransformer model, DataViewSchema? inputSchema = null, string modelName = "")
    {
        ArgumentNullException.ThrowIfNull(model);
        Source.Add(modelName, new PredictionEnginePoolSource<TData, TPrediction>.Model(null, false, model, inputSchema));
        return this;
    }
}

/// <summary>What the builder recorded (one per registered pool type): the named models and the options callback.</summary>
internal sealed class PredictionEnginePoolSource<TData, TPrediction> where TData : class where TPrediction : class, new()
{
    public sealed record Model(string? FilePath, bool WatchForChanges, ITransformer? Transformer, DataViewSchema? InputSchema);

    public List<(string Name, Model Model)> Models { get; } = [];

    public Action<PredictionEnginePoolOptions>? Configure { get; set; }

    public void Add(string name, Model model)
    {
        if (Models.Any(m => m.Name == name))
            throw new ArgumentException($"A model named '{name}' is already registered for this pool.", nameof(name));
        Models.Add((name, model));
    }
}

using MlNetDigits.Extensions;
using MlNetDigits.Prediction;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers MlNetDigits prediction services, in the style of ML.NET's
/// <c>services.AddPredictionEnginePool&lt;TIn, TOut&gt;().FromFile(path)</c>.
/// </summary>
public static class PredictionServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="PredictionEnginePool{TIn, TOut}"/> (thread-safe; inject it into controllers or
    /// endpoints). Say where the model comes from with <c>.FromFile(path, watchForChanges)</c> or <c>.FromModel(model)</c>.
    /// Reloads and refused files are logged through the app's <see cref="ILogger"/>.
    /// </summary>
    public static PredictionEnginePoolBuilder<TIn, TOut> AddPredictionEnginePool<TIn, TOut>(this IServiceCollection services,
        Action<PredictionEnginePoolOptions>? configure = null)
        where TIn : class where TOut : class, new()
    {
        ArgumentNullException.ThrowIfNull(services);
        var source = new PredictionEnginePoolSource<TIn, TOut> { Configure = configure };
        services.RemoveAll<PredictionEnginePoolSource<TIn, TOut>>();
        services.AddSingleton(source);
        services.TryAddSingleton(provider => CreatePool(provider, provider.GetRequiredService<PredictionEnginePoolSource<TIn, TOut>>()));
        return new PredictionEnginePoolBuilder<TIn, TOut>(services, source);
    }

    /// <summary>
    /// Registers a singleton <see cref="DigitClassifier"/> serving <paramref name="modelPath"/> (relative to the content root),
    /// reloaded when the file changes unless <paramref name="watchForChanges"/> is false.
    /// </summary>
    public static IServiceCollection AddDigitClassifier(this IServiceCollection services, string modelPath, bool watchForChanges = true,
        Action<DigitClassifierOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        services.TryAddSingleton(provider =>
        {
            var options = new DigitClassifierOptions { WatchForChanges = watchForChanges };
            configure?.Invoke(options);
            var classifier = DigitClassifier.Load(Resolve(provider, modelPath), options);
            var logger = provider.GetService<ILoggerFactory>()?.CreateLogger<DigitClassifier>();
            if (logger is not null)
            {
                classifier.ModelReloaded += (_, e) => logger.LogInformation("Digit model reloaded: {Previous} -> {Current}", e.Previous, e.Current);
                classifier.ModelReloadFailed += (_, e) => logger.LogWarning(e.Error, "Digit model file {Path} was refused; still serving {Model}", e.FilePath, e.StillServing);
            }
            return classifier;
        });
        return services;
    }

    private static PredictionEnginePool<TIn, TOut> CreatePool<TIn, TOut>(IServiceProvider provider, PredictionEnginePoolSource<TIn, TOut> source)
        where TIn : class where TOut : class, new()
    {
        var options = new PredictionEnginePoolOptions();
        source.Configure?.Invoke(options);
        PredictionEnginePool<TIn, TOut> pool;
        if (source.Model is { } model)
            pool = new PredictionEnginePool<TIn, TOut>(model.Model, model.InputSchema, options);
        else if (source.FilePath is { } path)
            pool = PredictionEnginePool<TIn, TOut>.FromFile(Resolve(provider, path), source.WatchForChanges, options);
        else
            throw new InvalidOperationException(
                $"AddPredictionEnginePool<{typeof(TIn).Name}, {typeof(TOut).Name}>() was not told where its model is: chain .FromFile(path) or .FromModel(model).");

        var logger = provider.GetService<ILoggerFactory>()?.CreateLogger<PredictionEnginePool<TIn, TOut>>();
        if (logger is not null)
        {
            pool.ModelReloaded += (_, e) => logger.LogInformation("Model reloaded: {Previous} -> {Current}", e.Previous, e.Current);
            pool.ModelReloadFailed += (_, e) => logger.LogWarning(e.Error, "Model file {Path} was refused; still serving {Model}", e.FilePath, e.StillServing);
            pool.Log += (_, message) => logger.LogDebug("{Message}", message);
        }
        return pool;
    }

    /// <summary>An absolute path: relative ones are taken from the host's content root when there is a host.</summary>
    private static string Resolve(IServiceProvider provider, string path)
    {
        if (Path.IsPathRooted(path))
            return path;
        var root = provider.GetService<IHostEnvironment>()?.ContentRootPath ?? Directory.GetCurrentDirectory();
        return Path.GetFullPath(Path.Combine(root, path));
    }
}

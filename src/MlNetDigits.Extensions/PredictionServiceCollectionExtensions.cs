using MlNetDigits;
using MlNetDigits.Extensions;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers MlNetDigits prediction services, in the style of ML.NET's
/// <c>services.AddPredictionEnginePool&lt;TData, TPrediction&gt;().FromFile(modelName, path, watchForChanges)</c>.
/// </summary>
public static class PredictionServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="PredictionEnginePool{TData, TPrediction}"/> (thread-safe; inject it into
    /// controllers or endpoints), as Microsoft.Extensions.ML does. Say where the models come from with
    /// <c>.FromFile(modelName, filePath, watchForChanges)</c> (once per named model), <c>.FromFile(path)</c> or
    /// <c>.FromModel(model)</c>. Reloads and refused files are logged through the app's <see cref="ILogger"/>.
    /// </summary>
    public static PredictionEnginePoolBuilder<TData, TPrediction> AddPredictionEnginePool<TData, TPrediction>(this IServiceCollection services,
        Action<PredictionEnginePoolOptions>? configure = null)
        where TData : class where TPrediction : class, new()
    {
        ArgumentNullException.ThrowIfNull(services);
        var source = new PredictionEnginePoolSource<TData, TPrediction> { Configure = configure };
        services.RemoveAll<PredictionEnginePoolSource<TData, TPrediction>>();
        services.AddSingleton(source);
        services.TryAddSingleton(provider => CreatePool(provider, provider.GetRequiredService<PredictionEnginePoolSource<TData, TPrediction>>()));
        return new PredictionEnginePoolBuilder<TData, TPrediction>(services, source);
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

    private static PredictionEnginePool<TData, TPrediction> CreatePool<TData, TPrediction>(IServiceProvider provider, PredictionEnginePoolSource<TData, TPrediction> source)
        where TData : class where TPrediction : class, new()
    {
        if (source.Models.Count == 0)
            throw new InvalidOperationException(
                $"AddPredictionEnginePool<{typeof(TData).Name}, {typeof(TPrediction).Name}>() was not told where its model is: chain .FromFile(modelName, path, watchForChanges) or .FromModel(model).");
        var options = new PredictionEnginePoolOptions();
        source.Configure?.Invoke(options);
        var logger = provider.GetService<ILoggerFactory>()?.CreateLogger<PredictionEnginePool<TData, TPrediction>>();
        var pool = new PredictionEnginePool<TData, TPrediction>(options, logger);
        try
        {
            foreach (var (name, model) in source.Models)
            {
                if (model.Transformer is { } transformer)
                    pool.AddModel(name, transformer, model.InputSchema);
                else
                    pool.AddModelFromFile(name, Resolve(provider, model.FilePath!), model.WatchForChanges);
            }
        }
        catch
        {
            pool.Dispose();
            throw;
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

using System.Text.RegularExpressions;

namespace MlNetDigits.Web.Models;

/// <summary>
/// The models the app serves, by name. By default "cnn" and "sdca", the shipped models (models/cnn-best.zip and
/// models/sdca.zip, found by <see cref="ShippedModels"/>); the "Models" configuration section overrides their files or adds
/// models (<c>--Models:Cnn=path</c>, <c>--Models:Big=other.zip</c>). Names are the only thing a request can choose: they map
/// to configured paths, never to a file name taken from a request. A missing or invalid model does not stop the app: it is
/// reported by the health and model-info endpoints and tried again when its file appears; a loaded model reloads itself
/// when its file changes (the pool's watcher). Relative paths are taken from <see cref="AppFolders.BaseFolder"/>; the errors
/// kept for clients name model files as <see cref="AppFolders.Display"/> shows them (the log has the full paths).
/// </summary>
public sealed partial class ModelCatalog : IDisposable
{
    /// <summary>The models served when the configuration names none: the shipped CNN and SDCA models.</summary>
    public static IReadOnlyList<string> DefaultNames { get; } = ["cnn", "sdca"];

    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, ServedModel> _models = new(StringComparer.Ordinal);
    private readonly bool _watch;
    private readonly ILogger<ModelCatalog> _logger;
    private readonly AppFolders _folders;
    private readonly Lock _lock = new();

    /// <summary>Reads the "Models" section and loads every model it names (plus the defaults).</summary>
    public ModelCatalog(IConfiguration configuration, WebOptions options, AppFolders folders, ILogger<ModelCatalog> logger)
    {
        _watch = options.WatchModels;
        _logger = logger;
        _folders = folders;
        var configured = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in DefaultNames)
            configured[name] = null;
        foreach (var child in configuration.GetSection("Models").GetChildren())
        {
            var name = child.Key.ToLowerInvariant();
            if (!IsValidName(name))
                throw new InvalidOperationException($"Model name '{child.Key}' in the Models section is not valid: use 1-32 letters, digits, '-' or '_' (e.g. --Models:Cnn=path).");
            configured[name] = string.IsNullOrWhiteSpace(child.Value) ? null : child.Value;
        }
        foreach (var (name, path) in configured)
        {
            var model = path is not null
                ? new ServedModel(name, folders.Resolve(path), "configured")
                : new ServedModel(name, TryFindShipped(name), "shipped");
            _models[name] = model;
            TryLoad(model);
        }
    }

    /// <summary>The served model names in configuration order (defaults first).</summary>
    public IReadOnlyList<string> Names => [.. _models.Keys];

    /// <summary>Every model, loaded or not.</summary>
    public IEnumerable<ServedModel> All => _models.Values;

    /// <summary>True for a syntactically valid model name (letters, digits, '-', '_'; 1..32 characters).</summary>
    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    /// <summary>The model called <paramref name="name"/> (case-insensitive), or null when no such model is configured.</summary>
    public ServedModel? Find(string? name)
    {
        if (!IsValidName(name?.ToLowerInvariant()))
            return null;
        if (!_models.TryGetValue(name!.ToLowerInvariant(), out var model))
            return null;
        if (model.Classifier is null && DateTimeOffset.UtcNow - model.LastAttempt > RetryInterval)
        {
            // A missing model is looked for again now and then: its file may have been trained or copied since.
            if (model.Source == "shipped")
                model.Path ??= TryFindShipped(model.Name);
            TryLoad(model);
        }
        return model;
    }

    public void Dispose()
    {
        foreach (var model in _models.Values)
            model.Classifier?.Dispose();
    }

    private void TryLoad(ServedModel model)
    {
        lock (_lock)
        {
            if (model.Classifier is not null)
                return;
            model.LastAttempt = DateTimeOffset.UtcNow;
            if (model.Path is null)
            {
                _logger.LogWarning("Model '{Name}' is missing: {File} is in none of the models folders ({Folders}).", model.Name, FileNameOf(model.Name),
                    string.Join(", ", ShippedModels.SearchFolders()));
                model.Error = $"Model '{model.Name}' is missing: {FileNameOf(model.Name)} is in no models/ folder (beside the app, above it, or in or above the " +
                    $"folder it was started in). Train it (see models/README.md) or pass --Models:{Capitalise(model.Name)}=path/to/model.zip.";
                return;
            }
            if (!File.Exists(model.Path))
            {
                Fail(model, $"Model '{model.Name}' is missing: the file {model.Path} does not exist. Train it (see models/README.md) or pass --Models:{Capitalise(model.Name)}=path/to/model.zip.", LogLevel.Warning);
                return;
            }
            var file = model.Path;
            try
            {
                var classifier = DigitClassifier.Load(file, ClassifierOptions(_watch));
                classifier.ModelReloaded += (_, e) =>
                {
                    model.Description = ModelDescription.Of(e.Current);
                    model.ReloadCount++;
                    model.LastReloadError = null;
                    _logger.LogInformation("Model '{Name}' reloaded: {Previous} -> {Current}", model.Name, e.Previous, e.Current);
                };
                classifier.ModelReloadFailed += (_, e) =>
                {
                    // Some refusals name the file (an unreadable zip), others only the model (probe images with non-finite
                    // answers): name the file either way, as the operator who replaced it knows it.
                    var shown = _folders.Display(file);
                    var reason = _folders.Redact(e.Error.Message, file);
                    model.LastReloadError = reason.Contains(shown, StringComparison.Ordinal) ? reason : $"{shown} changed but was refused: {reason}";
                    _logger.LogWarning("Model '{Name}' changed on disk but was refused; still serving {Model}: {Error}", model.Name, e.StillServing, e.Error.Message);
                };
                model.Description = ModelDescription.Of(classifier.Model);
                model.Classifier = classifier;
                model.Error = null;
                _logger.LogInformation("Serving model '{Name}' from {Path} (version {Version}{Watch})", model.Name, model.Path,
                    classifier.Model.Version, _watch ? ", reloaded when the file changes" : "");
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Besides the library's own exceptions (InvalidModelException, ArgumentException for a model that does not
                // take a 28x28 image, IOException), ML.NET and ONNX Runtime throw their own types for files they cannot
                // use (OnnxRuntimeException, FormatException, ...): any of them leaves the model missing, never stops the app.
                Fail(model, $"Model '{model.Name}' could not be loaded from {model.Path}: {e.Message}", LogLevel.Error);
            }
        }
    }

    /// <summary>Logs <paramref name="error"/> as it is and keeps it for clients with the model file's folder left out.</summary>
    private void Fail(ServedModel model, string error, LogLevel level)
    {
        _logger.Log(level, "{Error}", error);
        model.Error = _folders.Redact(error, model.Path);
    }

    /// <summary>The classifier settings of every served model.</summary>
    internal static DigitClassifierOptions ClassifierOptions(bool watch) => new() { WatchForChanges = watch };

    private static string? TryFindShipped(string name)
    {
        try
        {
            return ShippedModels.TryFind(name);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static string FileNameOf(string name)
    {
        try
        {
            return ShippedModels.FileNameOf(name);
        }
        catch (ArgumentException)
        {
            return name + ".zip";
        }
    }

    private static string Capitalise(string name) => char.ToUpperInvariant(name[0]) + name[1..];

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,31}$")]
    private static partial Regex NamePattern();
}

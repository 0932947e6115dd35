using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML;
using Microsoft.ML.Transforms.Onnx;

namespace MlNetDigits;

/// <summary>
/// Thread-safe predictions with ML.NET's <see cref="PredictionEngine{TSrc, TDst}"/>, which is not thread-safe itself:
/// the pool keeps idle engines per named model and lends one to each call. Shaped like Microsoft.Extensions.ML's pool
/// (which is not served here): named models, <see cref="GetModel(string)"/>, <see cref="GetPredictionEngine(string)"/> /
/// <see cref="ReturnPredictionEngine(string, PredictionEngine{TData, TPrediction})"/>, <see cref="Predict(string, TData)"/>.
/// A model added from a file can be watched: a changed file is loaded and validated completely before it replaces the
/// model; predictions already running finish on the old one, which is disposed (its ONNX Runtime sessions and threads
/// released) once its last engine comes back; a file that fails is logged, raises <see cref="ModelReloadFailed"/>, and
/// the old model keeps serving.
/// </summary>
public sealed class PredictionEnginePool<TData, TPrediction> : IDisposable where TData : class where TPrediction : class, new()
{
    /// <summary>The name of the model added without a name (Microsoft.Extensions.ML uses the empty string too).</summary>
    public const string DefaultModelName = "";

    private readonly PredictionEnginePoolOptions _options;
    private readonly ILogger _logger;
    private readonly MLContext _ml;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<PredictionEngine<TData, TPrediction>, Slot> _lent = new();
    private bool _disposed;

    /// <summary>An empty pool; add models with <see cref="AddModel"/> or <see cref="AddModelFromFile"/>.</summary>
    public PredictionEnginePool(PredictionEnginePoolOptions? options = null, ILogger? logger = null)
    {
        _options = options ?? new PredictionEnginePoolOptions();
        if (_options.MaximumRetainedEngines < 1)
            throw new ArgumentOutOfRangeException(nameof(options), _options.MaximumRetainedEngines, "MaximumRetainedEngines must be at least 1.");
        _logger = logger ?? NullLogger.Instance;
        if (_options.OnnxIntraOpThreads is < 1)
            throw new ArgumentOutOfRangeException(nameof(options), _options.OnnxIntraOpThreads, "OnnxIntraOpThreads must be at least 1 (or null for ONNX Runtime's default).");
        _ml = new MLContext(seed: 0) { GpuDeviceId = _options.GpuDeviceId, FallbackToCpu = _options.FallbackToCpu };
        if (_options.OnnxIntraOpThreads is { } threads)
            _ml.SetOnnxSessionOption(new OnnxSessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 });
    }

    /// <summary>A pool serving one in-memory model under <see cref="DefaultModelName"/> (it never reloads).</summary>
    public PredictionEnginePool(ITransformer model, DataViewSchema? inputSchema = null, PredictionEnginePoolOptions? options = null, ILogger? logger = null)
        : this(options, logger) => AddModel(DefaultModelName, model, inputSchema);

    /// <summary>A pool serving the model file <paramref name="filePath"/> under <see cref="DefaultModelName"/>.</summary>
    public static PredictionEnginePool<TData, TPrediction> FromFile(string filePath, bool watchForChanges = false,
        PredictionEnginePoolOptions? options = null, ILogger? logger = null)
    {
        var pool = new PredictionEnginePool<TData, TPrediction>(options, logger);
        try
        {
            pool.AddModelFromFile(DefaultModelName, filePath, watchForChanges);
            return pool;
        }
        catch
        {
            pool.Dispose();
            throw;
        }
    }

    /// <summary>The model names, in the order they were added.</summary>
    public IReadOnlyList<string> ModelNames => [.. _entries.OrderBy(e => e.Value.Order).Select(e => e.Key)];

    /// <summary>Raised (on a timer thread) after a changed model file replaced the served model.</summary>
    public event EventHandler<ModelReloadedEventArgs>? ModelReloaded;

    /// <summary>Raised (on a timer thread) when a changed model file was refused; the old model keeps serving.</summary>
    public event EventHandler<ModelReloadFailedEventArgs>? ModelReloadFailed;

    /// <summary>Serves the in-memory <paramref name="model"/> as <paramref name="modelName"/> (validated as a loaded file would be).</summary>
    public void AddModel(string modelName, ITransformer model, DataViewSchema? inputSchema = null)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        Add(modelName, LoadedModel.FromTransformer(model, inputSchema, modelName.Length == 0 ? "model" : modelName), watch: false);
    }

    /// <summary>
    /// Serves the ML.NET model file <paramref name="filePath"/> as <paramref name="modelName"/>; with
    /// <paramref name="watchForChanges"/> the file is watched and reloaded when it changes.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidModelException">The file is not a valid model, or fails validation.</exception>
    /// <exception cref="ArgumentException">The model does not fit <typeparamref name="TData"/> / <typeparamref name="TPrediction"/>.</exception>
    public void AddModelFromFile(string modelName, string filePath, bool watchForChanges = false)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        Add(modelName, LoadedModel.FromFile(filePath, _ml), watchForChanges);
    }

    /// <summary>The model served as <see cref="DefaultModelName"/>.</summary>
    public ITransformer GetModel() => GetModel(DefaultModelName);

    /// <summary>The model served as <paramref name="modelName"/>.</summary>
    public ITransformer GetModel(string modelName) => EntryOf(modelName).Slot.Model.Transformer;

    /// <summary>The served model with its name, version and file.</summary>
    public LoadedModel GetLoadedModel(string modelName = DefaultModelName) => EntryOf(modelName).Slot.Model;

    /// <summary>Borrows an engine of the default model; give it back with <see cref="ReturnPredictionEngine(PredictionEngine{TData, TPrediction})"/>.</summary>
    public PredictionEngine<TData, TPrediction> GetPredictionEngine() => GetPredictionEngine(DefaultModelName);

    /// <summary>
    /// Borrows an engine of <paramref name="modelName"/> for a series of predictions on one thread; give it back with
    /// <see cref="ReturnPredictionEngine(string, PredictionEngine{TData, TPrediction})"/>. It keeps its model even if the pool reloads meanwhile.
    /// </summary>
    public PredictionEngine<TData, TPrediction> GetPredictionEngine(string modelName)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var entry = EntryOf(modelName);
        while (true)
        {
            var slot = entry.Slot;
            if (!slot.TryAcquire())
                continue; // retired between the read and the acquire: take the new slot
            PredictionEngine<TData, TPrediction> engine;
            if (slot.Idle.TryTake(out var idle))
            {
                Interlocked.Decrement(ref slot.IdleCount);
                engine = idle;
            }
            else
            {
                engine = CreateEngine(slot.Model);
            }
            _lent[engine] = slot;
            return engine;
        }
    }

    /// <summary>Gives back an engine of the default model.</summary>
    public void ReturnPredictionEngine(PredictionEngine<TData, TPrediction> engine) => ReturnPredictionEngine(DefaultModelName, engine);

    /// <summary>
    /// Gives back an engine from <see cref="GetPredictionEngine(string)"/>; engines of a replaced model, and engines beyond
    /// <see cref="PredictionEnginePoolOptions.MaximumRetainedEngines"/>, are dropped. (Dropped, not disposed: ML.NET's
    /// PredictionEngine.Dispose disposes the model's transformers too, which the other engines still use; the model itself
    /// is disposed once it is replaced and its last engine is back.)
    /// </summary>
    public void ReturnPredictionEngine(string modelName, PredictionEngine<TData, TPrediction> engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        if (!_lent.TryRemove(engine, out var slot))
            throw new ArgumentException("The engine was not borrowed from this pool, or was given back already.", nameof(engine));
        if (!slot.Retired && Interlocked.Increment(ref slot.IdleCount) <= _options.MaximumRetainedEngines)
            slot.Idle.Add(engine);
        else if (!slot.Retired)
            Interlocked.Decrement(ref slot.IdleCount);
        slot.Release();
    }

    /// <summary>The model that <paramref name="engine"/> (borrowed and not yet returned) runs.</summary>
    public LoadedModel ModelOf(PredictionEngine<TData, TPrediction> engine) =>
        _lent.TryGetValue(engine, out var slot) ? slot.Model : throw new ArgumentException("The engine is not on loan from this pool.", nameof(engine));

    /// <summary>Predicts with an engine of the default model; safe from many threads.</summary>
    public TPrediction Predict(TData example) => Predict(DefaultModelName, example);

    /// <summary>Predicts with an engine of <paramref name="modelName"/>; safe from many threads.</summary>
    public TPrediction Predict(string modelName, TData example)
    {
        var engine = GetPredictionEngine(modelName);
        try
        {
            return engine.Predict(example);
        }
        finally
        {
            ReturnPredictionEngine(modelName, engine);
        }
    }

    /// <summary>
    /// Reads <paramref name="modelName"/>'s file again now and swaps it in when its content changed and it loads and
    /// validates; returns true when the model was replaced. Throws what loading threw (the old model keeps serving).
    /// </summary>
    public bool Reload(string modelName = DefaultModelName)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var entry = EntryOf(modelName);
        var path = entry.Slot.Model.FilePath ?? throw new InvalidOperationException($"Model '{modelName}' is an in-memory model; there is no file to reload.");
        lock (entry.ReloadLock)
        {
            var stamp = entry.Watcher?.Stamp();
            var (bytes, timestamp) = LoadedModel.ReadFile(path);
            if (stamp is { } s)
                entry.Watcher!.MarkSeen(s);
            var previous = entry.Slot;
            if (LoadedModel.HashOf(bytes) == previous.Model.Version)
            {
                _logger.LogDebug("Model file {Path} changed on disk but its content is the same ({Model}); nothing to reload.", path, previous.Model);
                return false;
            }
            var model = LoadedModel.FromBytes(bytes, path, previous.Model.Name, timestamp, _ml);
            Slot next;
            try
            {
                next = CreateSlot(model);
            }
            catch
            {
                model.Dispose(); // a refused file must not keep its ONNX Runtime session
                throw;
            }
            entry.Slot = next;
            previous.Retire();
            // The log line comes first, so a handler woken by the event finds the reload already logged.
            _logger.LogInformation("Model {Path} reloaded: {Previous} -> {Current}.", path, previous.Model, model);
            ModelReloaded?.Invoke(this, new ModelReloadedEventArgs(previous.Model, model));
            return true;
        }
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        foreach (var entry in _entries.Values)
        {
            entry.Watcher?.Dispose();
            entry.Slot.Retire();
        }
    }

    private void Add(string modelName, LoadedModel model, bool watch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Slot slot;
        try
        {
            slot = CreateSlot(model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        var entry = new Entry(slot, _entries.Count);
        if (!_entries.TryAdd(modelName, entry))
        {
            slot.Retire();
            throw new ArgumentException($"A model named '{modelName}' is already in the pool.", nameof(modelName));
        }
        if (watch && model.FilePath is { } path)
        {
            entry.Watcher = new ModelFileWatcher(path, _options.ReloadDebounce, _options.PollingInterval, _options.UseFileSystemEvents,
                () => ReloadFromWatcher(modelName), message => _logger.LogInformation("{Message}", message));
            if (model.FileTimestamp is { } t)
                entry.Watcher.MarkSeen((t.UtcDateTime, new FileInfo(path).Length));
        }
    }

    private Entry EntryOf(string modelName)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        return _entries.TryGetValue(modelName, out var entry) ? entry
            : throw new ArgumentException($"The pool has no model named '{modelName}' (it has: {string.Join(", ", ModelNames.Select(n => $"'{n}'"))}).", nameof(modelName));
    }

    private void ReloadFromWatcher(string modelName)
    {
        if (_disposed)
            return;
        try
        {
            Reload(modelName);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var current = EntryOf(modelName).Slot.Model;
            _logger.LogWarning(e, "Model file {Path} changed but was refused; still serving {Model}: {Reason}", current.FilePath, current, e.Message);
            ModelReloadFailed?.Invoke(this, new ModelReloadFailedEventArgs(current.FilePath!, e, current));
        }
    }

    /// <summary>Builds the first engine of <paramref name="model"/> (checking it fits the classes) and runs the validations.</summary>
    private Slot CreateSlot(LoadedModel model)
    {
        PredictionEngine<TData, TPrediction> engine;
        try
        {
            engine = CreateEngine(model);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentOutOfRangeException)
        {
            throw new ArgumentException($"Model {model} does not fit {typeof(TData).Name} -> {typeof(TPrediction).Name}: {e.Message}", e);
        }
        foreach (var example in _options.ValidationExamples)
        {
            if (example is not TData input)
                throw new ArgumentException($"A validation example is a {example.GetType().Name}; this pool's input type is {typeof(TData).Name}.");
            var prediction = engine.Predict(input);
            if (_options.ValidatePrediction?.Invoke(prediction) is { } reason)
                throw new InvalidModelException($"Model {model} was refused: {reason}");
        }
        _options.Validate?.Invoke(model);
        var slot = new Slot(model);
        slot.Idle.Add(engine);
        slot.IdleCount = 1;
        return slot;
    }

    private PredictionEngine<TData, TPrediction> CreateEngine(LoadedModel model) =>
        _ml.Model.CreatePredictionEngine<TData, TPrediction>(model.Transformer, _options.IgnoreMissingColumns,
            _options.InputSchemaDefinitionFor?.Invoke(model.InputSchema) ?? _options.InputSchemaDefinition, _options.OutputSchemaDefinition);

    /// <summary>One named model: its current slot, its file watcher and the lock that orders its reloads.</summary>
    private sealed class Entry(Slot slot, int order)
    {
        public volatile Slot Slot = slot;

        public int Order { get; } = order;

        public ModelFileWatcher? Watcher { get; set; }

        public Lock ReloadLock { get; } = new();
    }

    /// <summary>
    /// One loaded model with its idle engines. It counts its engines on loan; once retired (replaced or the pool disposed)
    /// and the last one is back, it disposes its engines and the model.
    /// </summary>
    private sealed class Slot(LoadedModel model)
    {
        private int _onLoan;
        private int _retired;

        public LoadedModel Model { get; } = model;

        public ConcurrentBag<PredictionEngine<TData, TPrediction>> Idle { get; } = [];

        public int IdleCount;

        public bool Retired => Volatile.Read(ref _retired) == 1;

        /// <summary>Counts one more engine on loan; false once retired (take the newer slot).</summary>
        public bool TryAcquire()
        {
            Interlocked.Increment(ref _onLoan);
            if (!Retired)
                return true;
            Release();
            return false;
        }

        public void Release()
        {
            if (Interlocked.Decrement(ref _onLoan) == 0 && Retired)
                Close();
        }

        public void Retire()
        {
            if (Interlocked.Exchange(ref _retired, 1) == 0 && Volatile.Read(ref _onLoan) == 0)
                Close();
        }

        private int _closed;

        private void Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 1)
                return;
            Idle.Clear();
            Model.Dispose();
        }
    }
}

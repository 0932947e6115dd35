using System.Collections.Concurrent;
using MlNetDigits.Core;
using MlNetDigits.Data;

namespace MlNetDigits.Prediction;

/// <summary>
/// Thread-safe predictions: keeps idle <see cref="PredictionEngine{TSrc, TDst}"/>s of the current model and lends one to
/// each call, so <see cref="Predict(TIn)"/> can be called from any number of threads. A pool made from a file can watch it
/// (<see cref="FromFile"/> with <c>watchForChanges</c>): a changed file is loaded and validated completely before it
/// replaces the model; predictions already running finish on the old model; a file that fails to load is reported through
/// <see cref="ModelReloadFailed"/> and the old model keeps serving.
/// </summary>
public sealed class PredictionEnginePool<TIn, TOut> : IDisposable where TIn : class where TOut : class, new()
{
    private readonly PredictionEnginePoolOptions _options;
    private readonly Lock _reloadLock = new();
    private readonly ModelFileWatcher? _watcher;
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<ITransformer, LoadedModel> _loaded = [];
    private volatile Slot _slot;
    private bool _disposed;

    /// <summary>A pool serving <paramref name="model"/> (an in-memory model; it never reloads).</summary>
    public PredictionEnginePool(ITransformer model, DataViewSchema? inputSchema = null, PredictionEnginePoolOptions? options = null, string name = "model")
        : this(new LoadedModel(model ?? throw new ArgumentNullException(nameof(model)), inputSchema ?? DataViewSchema.Create(), name, "memory", null, null), options, watch: false)
    {
    }

    private PredictionEnginePool(LoadedModel model, PredictionEnginePoolOptions? options, bool watch)
    {
        _options = options ?? new PredictionEnginePoolOptions();
        if (_options.MaximumRetainedEngines < 1)
            throw new ArgumentOutOfRangeException(nameof(options), _options.MaximumRetainedEngines, "MaximumRetainedEngines must be at least 1.");
        _slot = CreateSlot(model);
        if (watch && model.FilePath is { } path)
        {
            _watcher = new ModelFileWatcher(path, _options.ReloadDebounce, _options.PollingInterval, _options.UseFileSystemEvents, ReloadFromWatcher, WriteLog);
            if (model.FileTimestamp is { } t)
                _watcher.MarkSeen((t.UtcDateTime, new FileInfo(path).Length));
        }
    }

    /// <summary>
    /// A pool serving the model file <paramref name="filePath"/>. With <paramref name="watchForChanges"/> the file is watched
    /// and reloaded when it changes (see the class remarks).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="Model.InvalidModelException">The file is not a valid model.</exception>
    /// <exception cref="ArgumentException">The model does not fit <typeparamref name="TIn"/> / <typeparamref name="TOut"/>.</exception>
    public static PredictionEnginePool<TIn, TOut> FromFile(string filePath, bool watchForChanges = false, PredictionEnginePoolOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        return new PredictionEnginePool<TIn, TOut>(LoadedModel.FromFile(filePath), options, watchForChanges);
    }

    /// <summary>The model now served.</summary>
    public LoadedModel CurrentModel => _slot.Model;

    /// <summary>The class names of the current model's Score slots (see <see cref="PredictionEngine{TSrc, TDst}.ClassNames"/>).</summary>
    public IReadOnlyList<string>? ClassNames => _slot.ClassNames;

    /// <summary>True when the pool watches its model file.</summary>
    public bool IsWatching => _watcher is not null;

    /// <summary>Raised (on a timer thread) after a changed model file replaced the served model.</summary>
    public event EventHandler<ModelReloadedEventArgs>? ModelReloaded;

    /// <summary>Raised (on a timer thread) when a changed model file was refused; the old model keeps serving.</summary>
    public event EventHandler<ModelReloadFailedEventArgs>? ModelReloadFailed;

    /// <summary>Informational messages (watching falls back to polling, a file is unchanged...).</summary>
    public event EventHandler<string>? Log;

    /// <summary>Predicts for <paramref name="example"/> with an engine of the current model; safe from many threads.</summary>
    public TOut Predict(TIn example)
    {
        var engine = GetPredictionEngine();
        try
        {
            return engine.Predict(example);
        }
        finally
        {
            ReturnPredictionEngine(engine);
        }
    }

    /// <summary>
    /// Predicts into <paramref name="prediction"/> (reusing its arrays), with an engine of the current model; safe from many
    /// threads as long as each thread passes its own output object.
    /// </summary>
    public void Predict(TIn example, ref TOut prediction)
    {
        var engine = GetPredictionEngine();
        try
        {
            engine.Predict(example, ref prediction);
        }
        finally
        {
            ReturnPredictionEngine(engine);
        }
    }

    /// <summary>
    /// Borrows an engine of the current model for a series of predictions on one thread; give it back with
    /// <see cref="ReturnPredictionEngine"/>. It keeps its model even if the pool reloads meanwhile.
    /// </summary>
    public PredictionEngine<TIn, TOut> GetPredictionEngine()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var slot = _slot;
        if (slot.Idle.TryTake(out var engine))
        {
            Interlocked.Decrement(ref slot.IdleCount);
            return engine;
        }
        return CreateEngine(slot.Model);
    }

    /// <summary>Gives back an engine from <see cref="GetPredictionEngine"/>; engines of a replaced model are dropped.</summary>
    public void ReturnPredictionEngine(PredictionEngine<TIn, TOut> engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var slot = _slot;
        if (!ReferenceEquals(engine.Model, slot.Model.Transformer))
            return;
        if (Interlocked.Increment(ref slot.IdleCount) > _options.MaximumRetainedEngines)
        {
            Interlocked.Decrement(ref slot.IdleCount);
            return;
        }
        slot.Idle.Add(engine);
    }

    /// <summary>
    /// Reads the model file again now and swaps it in when its content changed and it loads and validates; returns true when
    /// the model was replaced. Throws what loading threw (the old model keeps serving).
    /// </summary>
    public bool Reload()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var path = _slot.Model.FilePath ?? throw new InvalidOperationException("This pool serves an in-memory model; there is no file to reload.");
        lock (_reloadLock)
        {
            var stamp = _watcher?.Stamp();
            var (bytes, timestamp) = LoadedModel.ReadFile(path);
            if (stamp is { } s)
                _watcher!.MarkSeen(s);
            var previous = _slot;
            if (LoadedModel.HashOf(bytes) == previous.Model.Version)
            {
                WriteLog($"Model file '{path}' changed on disk but its content is the same ({previous.Model.Version}); nothing to reload.");
                return false;
            }
            var model = LoadedModel.FromBytes(bytes, path, previous.Model.Name, timestamp);
            var next = CreateSlot(model);
            _slot = next;
            // The log line comes first, so a handler woken by the event finds the reload already logged.
            WriteLog($"Model '{path}' reloaded: {previous.Model} -> {model}.");
            ModelReloaded?.Invoke(this, new ModelReloadedEventArgs(previous.Model, model));
            return true;
        }
    }

    /// <summary>The model <paramref name="engine"/> runs (after a reload, engines borrowed before it still run the previous one).</summary>
    public LoadedModel ModelOf(PredictionEngine<TIn, TOut> engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return _loaded.TryGetValue(engine.Model, out var model) ? model
            : throw new ArgumentException("The engine was not made by this pool.", nameof(engine));
    }

    public void Dispose()
    {
        _disposed = true;
        _watcher?.Dispose();
    }

    private void ReloadFromWatcher()
    {
        if (_disposed)
            return;
        try
        {
            Reload();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var current = _slot.Model;
            WriteLog($"Model file '{current.FilePath}' changed but was refused; still serving {current}: {e.Message}");
            ModelReloadFailed?.Invoke(this, new ModelReloadFailedEventArgs(current.FilePath!, e, current));
        }
    }

    /// <summary>Builds the first engine of <paramref name="model"/> (checking it fits the classes) and runs the validations.</summary>
    private Slot CreateSlot(LoadedModel model)
    {
        var engine = CreateEngine(model);
        if (_options.ValidationExample is { } example)
        {
            if (example is not TIn input)
                throw new ArgumentException($"ValidationExample is a {example.GetType().Name}; this pool's input type is {typeof(TIn).Name}.");
            engine.Predict(input);
        }
        _options.Validate?.Invoke(model);
        _loaded.AddOrUpdate(model.Transformer, model);
        var slot = new Slot(model, engine.ClassNames);
        slot.Idle.Add(engine);
        slot.IdleCount = 1;
        return slot;
    }

    private PredictionEngine<TIn, TOut> CreateEngine(LoadedModel model)
    {
        var engine = _options.Engine;
        return new PredictionEngine<TIn, TOut>(model.Transformer, new PredictionEngineOptions
        {
            InputSchema = model.InputSchema.Count == 0 ? null : model.InputSchema,
            InputSchemaDefinition = engine.InputSchemaDefinition,
            OutputSchemaDefinition = engine.OutputSchemaDefinition,
            IgnoreMissingOutputColumns = engine.IgnoreMissingOutputColumns,
            SupplyMissingInputColumns = engine.SupplyMissingInputColumns,
        });
    }

    private void WriteLog(string message) => Log?.Invoke(this, message);

    /// <summary>One model and its idle engines.</summary>
    private sealed class Slot(LoadedModel model, IReadOnlyList<string>? classNames)
    {
        public LoadedModel Model { get; } = model;

        public IReadOnlyList<string>? ClassNames { get; } = classNames;

        public ConcurrentBag<PredictionEngine<TIn, TOut>> Idle { get; } = [];

        public int IdleCount;
    }
}

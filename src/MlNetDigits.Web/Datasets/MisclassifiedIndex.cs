using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics.Tensors;
using Microsoft.ML.Data;

namespace MlNetDigits.Web.Datasets;

/// <summary>
/// The test images each model misclassifies: the model's ML.NET chain transforms the test split's IDX data view and its
/// Score column is read row by row. Scoring the test set takes a while for a large model, so it runs once per model
/// version in the background; callers get its progress until it is done. A reloaded model (new version) is scored again;
/// a failed scoring is reported once and tried again on the next request.
/// </summary>
public sealed class MisclassifiedIndex(DatasetStore store, ILogger<MisclassifiedIndex> logger)
{
    private const string ScoreColumnName = "Score";

    private readonly ConcurrentDictionary<(string Model, string Version), Scoring> _scorings = new();

    /// <summary>The scoring of the test split by <paramref name="classifier"/>'s current model, started on first request.</summary>
    public Scoring Get(string modelName, DigitClassifier classifier)
    {
        var served = classifier.Model;
        var scoring = _scorings.GetOrAdd((modelName, served.Version), key =>
        {
            var started = new Scoring(key.Model, key.Version);
            var path = served.FilePath;
            var classNames = classifier.ClassNames;
            started.Start(() => Score(started, path, classNames));
            return started;
        });
        if (scoring.Failure is not null)
            _scorings.TryRemove(KeyValuePair.Create((modelName, served.Version), scoring));
        return scoring;
    }

    private void Score(Scoring scoring, string? modelPath, IReadOnlyList<string> classNames)
    {
        var test = store.Get(DatasetSplit.Test);
        scoring.Total = test.Count;
        var started = DateTime.UtcNow;
        // A private copy of the served model: the classifier disposes its model (and the ONNX Runtime sessions inside) when
        // the file is reloaded, which must not happen under a Transform that is still reading rows.
        using var model = LoadedModel.FromFile(modelPath ?? throw new InvalidOperationException($"Model '{scoring.Model}' has no file to score the test split with."));
        if (model.Version != scoring.Version)
            throw new InvalidOperationException($"The file of model '{scoring.Model}' ({model.FilePath}) now holds version {model.Version}, not the served {scoring.Version}. " +
                "The new file is served once it is reloaded (Web:WatchModels) or the app restarts; ask again then.");
        var scored = model.Transformer.Transform(test.View);
        var score = scored.Schema.GetColumnOrNull(ScoreColumnName)
            ?? throw new InvalidOperationException($"Model '{scoring.Model}' gives no '{ScoreColumnName}' column (it gives {string.Join(", ", scored.Schema.Select(c => $"'{c.Name}'"))}).");
        if (score.Type is not VectorDataViewType { ItemType: var item, Size: var size } || item != NumberDataViewType.Single || size != classNames.Count)
            throw new InvalidOperationException($"Model '{scoring.Model}' gives '{ScoreColumnName}' as {score.Type}; expected a vector of {classNames.Count} Singles, one probability per class.");
        var digitOfSlot = DigitsOf(classNames);
        var found = new List<MisclassifiedImage>();
        var probabilities = new float[size];
        VBuffer<float> buffer = default;
        int row = 0;
        using (var cursor = scored.GetRowCursor([score]))
        {
            var getScore = cursor.GetGetter<VBuffer<float>>(score);
            while (cursor.MoveNext())
            {
                getScore(ref buffer);
                buffer.CopyTo(probabilities);
                var best = TensorPrimitives.IndexOfMax<float>(probabilities);
                var label = test.Label(row);
                if (digitOfSlot[best] != label)
                    found.Add(new MisclassifiedImage(row, label, digitOfSlot[best], probabilities[best], (float[])probabilities.Clone()));
                scoring.Done = ++row;
            }
        }
        if (row != test.Count)
            throw new InvalidOperationException($"Model '{scoring.Model}' gave {row} scored rows for the {test.Count} test images.");
        scoring.Errors = found;
        logger.LogInformation("Scored the test split with {Model} ({Version}): {Errors} of {Total} misclassified in {Seconds:0.0} s",
            scoring.Model, scoring.Version, found.Count, test.Count, (DateTime.UtcNow - started).TotalSeconds);
    }

    /// <summary>The digit each Score slot stands for: its class name when that is a number ("0".."9"), else the slot itself.</summary>
    private static int[] DigitsOf(IReadOnlyList<string> classNames) =>
        [.. classNames.Select((name, slot) => int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var digit) ? digit : slot)];

    /// <summary>One model version's pass over the test split.</summary>
    public sealed class Scoring(string model, string version)
    {
        /// <summary>The model name.</summary>
        public string Model { get; } = model;

        /// <summary>The model version scored.</summary>
        public string Version { get; } = version;

        private int _done;
        private int _total;
        private IReadOnlyList<MisclassifiedImage>? _errors;
        private string? _failure;

        /// <summary>Images scored so far.</summary>
        public int Done { get => Volatile.Read(ref _done); internal set => Volatile.Write(ref _done, value); }

        /// <summary>Images in the test split (0 until known).</summary>
        public int Total { get => Volatile.Read(ref _total); internal set => Volatile.Write(ref _total, value); }

        /// <summary>The misclassified images in index order; null until every image is scored.</summary>
        public IReadOnlyList<MisclassifiedImage>? Errors { get => Volatile.Read(ref _errors); internal set => Volatile.Write(ref _errors, value); }

        /// <summary>Why scoring failed, or null.</summary>
        public string? Failure { get => Volatile.Read(ref _failure); internal set => Volatile.Write(ref _failure, value); }

        internal void Start(Action work) => Task.Run(() =>
        {
            try
            {
                work();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Failure = e.Message;
            }
        });
    }
}

using System.Collections.Concurrent;
using MlNetDigits.Data.Idx;
using MlNetDigits.Prediction;

namespace MlNetDigits.Web.Datasets;

/// <summary>
/// The test images each model misclassifies. Scoring the test set takes a while for a large model, so it runs once per model
/// version in the background; callers get its progress until it is done. A reloaded model (new version) is scored again.
/// </summary>
public sealed class MisclassifiedIndex(DatasetStore store, ILogger<MisclassifiedIndex> logger)
{
    private readonly ConcurrentDictionary<(string Model, string Version), Scoring> _scorings = new();

    /// <summary>The scoring of the test split by <paramref name="classifier"/>'s current model, started on first request.</summary>
    public Scoring Get(string modelName, DigitClassifier classifier)
    {
        var version = classifier.Model.Version;
        return _scorings.GetOrAdd((modelName, version), key =>
        {
            var scoring = new Scoring(key.Model, key.Version);
            scoring.Start(() => Score(scoring, classifier));
            return scoring;
        });
    }

    private void Score(Scoring scoring, DigitClassifier classifier)
    {
        var test = store.Get(DatasetSplit.Test);
        scoring.Total = test.Count;
        var started = DateTime.UtcNow;
        var found = new List<Misclassification>();
        for (int i = 0; i < test.Count; i++)
        {
            var prediction = classifier.Classify28x28(test.Images.GetImage(i));
            var predicted = prediction.Best.ClassIndex;
            if (predicted != test.Labels[i])
                found.Add(new Misclassification(i, test.Labels[i], predicted, prediction.Confidence, [.. prediction.Probabilities.Select(p => p.Score)]));
            scoring.Done = i + 1;
        }
        scoring.Errors = found;
        logger.LogInformation("Scored the test split with {Model} ({Version}): {Errors} of {Total} misclassified in {Seconds:0.0} s",
            scoring.Model, scoring.Version, found.Count, test.Count, (DateTime.UtcNow - started).TotalSeconds);
    }

    /// <summary>One model version's pass over the test split.</summary>
    public sealed class Scoring(string model, string version)
    {
        /// <summary>The model name.</summary>
        public string Model { get; } = model;

        /// <summary>The model version scored.</summary>
        public string Version { get; } = version;

        private int _done;
        private int _total;
        private IReadOnlyList<Misclassification>? _errors;
        private string? _failure;

        /// <summary>Images scored so far.</summary>
        public int Done { get => Volatile.Read(ref _done); internal set => Volatile.Write(ref _done, value); }

        /// <summary>Images in the test split (0 until known).</summary>
        public int Total { get => Volatile.Read(ref _total); internal set => Volatile.Write(ref _total, value); }

        /// <summary>The misclassified images in index order; null until every image is scored.</summary>
        public IReadOnlyList<Misclassification>? Errors { get => Volatile.Read(ref _errors); internal set => Volatile.Write(ref _errors, value); }

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

using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Evaluation;
using MlNetDigits.Model;
using MlNetDigits.Transforms;

namespace MlNetDigits;

/// <summary>
/// The entry point, in the role of ML.NET's <c>MLContext</c> (named differently so both can live in one app): catalogs of
/// data operations, transforms, multiclass trainers and evaluation, and model files, plus the seed every random choice
/// derives from.
/// </summary>
public sealed class DigitsContext
{
    private readonly Random _seedSource;
    private readonly Lock _seedLock = new();

    /// <param name="seed">Seed for every random choice made through this context; null draws one at random.</param>
    public DigitsContext(int? seed = null)
    {
        Seed = seed;
        _seedSource = seed is { } s ? new Random(s) : new Random();
        Data = new DataOperationsCatalog(this);
        Transforms = new TransformsCatalog(this);
        MulticlassClassification = new MulticlassClassificationCatalog(this);
        Model = new ModelOperationsCatalog(this);
    }

    /// <summary>The seed given to the constructor, or null.</summary>
    public int? Seed { get; }

    public DataOperationsCatalog Data { get; }

    public TransformsCatalog Transforms { get; }

    public MulticlassClassificationCatalog MulticlassClassification { get; }

    public ModelOperationsCatalog Model { get; }

    /// <summary>Raised for every progress report of every trainer created through this context.</summary>
    public event EventHandler<TrainingProgress>? TrainingProgress;

    /// <summary>Raised for informational messages (chosen defaults, the kernel backend in use...).</summary>
    public event EventHandler<string>? Log;

    /// <summary>
    /// The next seed from this context's sequence: components created in the same order from a context with the same seed
    /// get the same seeds.
    /// </summary>
    public int NextSeed()
    {
        lock (_seedLock)
            return _seedSource.Next();
    }

    /// <summary>Reports <paramref name="report"/> to <paramref name="progress"/> and to <see cref="TrainingProgress"/>.</summary>
    public void ReportProgress(TrainingProgress report, IProgress<TrainingProgress>? progress = null)
    {
        progress?.Report(report);
        TrainingProgress?.Invoke(this, report);
    }

    /// <summary>Raises <see cref="Log"/>.</summary>
    public void WriteLog(string message) => Log?.Invoke(this, message);
}

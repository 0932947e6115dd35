using System.Globalization;
using System.Text;

namespace MlNetDigits;

/// <summary>What a progress report marks.</summary>
public enum TrainingProgressKind
{
    /// <summary>An epoch finished.</summary>
    Epoch,

    /// <summary>Some batches of an epoch finished.</summary>
    Batch,

    /// <summary>A message: a chosen default, a phase starting, the end of training.</summary>
    Message,
}

/// <summary>
/// One progress report from the CNN trainer, given to <see cref="ImageClassificationTrainer.Options.MetricsCallback"/>.
/// <see cref="Metrics"/> holds the figures by name ("loss", "accuracy", "learningRate", "validationLoss", ...).
/// </summary>
public sealed record TrainingProgress
{
    public required string Trainer { get; init; }
    public TrainingProgressKind Kind { get; init; }

    /// <summary>The 1-based epoch this report belongs to; 0 before the first.</summary>
    public int Epoch { get; init; }

    /// <summary>The planned number of epochs, when known.</summary>
    public int? TotalEpochs { get; init; }

    /// <summary>The 1-based batch within the epoch, for batch reports.</summary>
    public int? Batch { get; init; }

    public int? TotalBatches { get; init; }

    public TimeSpan Elapsed { get; init; }

    public TimeSpan? EstimatedRemaining { get; init; }

    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    public string? Message { get; init; }

    /// <summary>One human-readable line, e.g. "ImageClassification epoch 3/15: loss=0.0712 accuracy=0.98 (61.2 s)".</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(Trainer);
        if (Kind != TrainingProgressKind.Message || Epoch > 0)
        {
            sb.Append(" epoch ").Append(Epoch);
            if (TotalEpochs is { } total)
                sb.Append('/').Append(total);
        }
        if (Batch is { } batch)
        {
            sb.Append(" batch ").Append(batch);
            if (TotalBatches is { } tb)
                sb.Append('/').Append(tb);
        }
        sb.Append(':');
        foreach (var (name, value) in Metrics)
            sb.Append(' ').Append(name).Append('=').Append(value.ToString("G5", CultureInfo.InvariantCulture));
        if (Message is not null)
            sb.Append(' ').Append(Message);
        sb.Append(" (").Append(Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)).Append(" s");
        if (EstimatedRemaining is { } eta)
            sb.Append(", ETA ").Append(eta.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture)).Append(" s");
        sb.Append(')');
        return sb.ToString();
    }
}

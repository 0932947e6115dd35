using System.IO.Compression;
using System.Text.Json;
using MlNetDigits.Engine;

namespace MlNetDigits;

/// <summary>
/// The state of a CNN training run at the end of an epoch, enough to continue it bit-identically: weights and
/// batch-norm statistics, optimizer state, schedule step, the random state of dropout, the epoch, the history and the
/// early-stopping state (with the best weights so far). Stored as one zip file (checkpoint.zip) written to a temporary
/// name and renamed, so a crash or cancellation never leaves half a checkpoint.
/// </summary>
public sealed class TrainingCheckpoint
{
    /// <summary>The checkpoint file's name inside a checkpoint folder.</summary>
    public const string FileName = "checkpoint.zip";

    /// <summary>The checkpoint format version this build writes and reads.</summary>
    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The run's settings; resuming requires the same.</summary>
    public required ImageClassificationSettings Settings { get; init; }

    /// <summary>The epochs completed (1-based count).</summary>
    public required int Epoch { get; init; }

    /// <summary>The learning-rate schedule's step (its LastStep).</summary>
    public required int SchedulerStep { get; init; }

    /// <summary>The state words of the network's random source (dropout masks).</summary>
    public required ulong[] RandomState { get; init; }

    public required IReadOnlyList<ImageClassificationEpoch> History { get; init; }

    /// <summary>The best monitored value so far (early stopping), or null.</summary>
    public double? BestMetric { get; init; }

    /// <summary>The epoch of <see cref="BestMetric"/> (0 when none).</summary>
    public int BestEpoch { get; init; }

    /// <summary>The network's state dictionary.</summary>
    public required Dictionary<string, Tensor> Weights { get; init; }

    /// <summary>The weights of the best epoch, when early stopping keeps them.</summary>
    public Dictionary<string, Tensor>? BestWeights { get; init; }

    /// <summary>What <c>Optimizer.SaveState</c> wrote.</summary>
    public required byte[] OptimizerState { get; init; }

    /// <summary>The checkpoint file for <paramref name="path"/>: the path itself, or checkpoint.zip inside it when it is a folder.</summary>
    public static string Resolve(string path) => Directory.Exists(path) ? Path.Combine(path, FileName) : path;

    /// <summary>
    /// Writes the checkpoint to <paramref name="path"/> atomically: to a temporary file beside it, then renamed over it,
    /// so the previous checkpoint stays whole until the new one is complete. A failed write (a full disk) removes its
    /// temporary file and rethrows; temporary files left by a killed run are removed first.
    /// </summary>
    public void Save(string path)
    {
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        foreach (var stale in Directory.EnumerateFiles(directory, Path.GetFileName(fullPath) + ".*.tmp"))
            TryDelete(stale);
        var temp = $"{fullPath}.{Environment.ProcessId}.tmp";
        try
        {
            using (var file = File.Create(temp))
            using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
            {
                Write(zip, "checkpoint.json", s => JsonSerializer.Serialize(s, new Meta(FormatVersion, Settings, Epoch, SchedulerStep, RandomState, [.. History], BestMetric, BestEpoch), Json));
                Write(zip, "weights.bin", s => StateDictionary.Save(s, Weights));
                if (BestWeights is not null)
                    Write(zip, "best.bin", s => StateDictionary.Save(s, BestWeights));
                Write(zip, "optimizer.bin", s => s.Write(OptimizerState));
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Reads a checkpoint written by <see cref="Save"/>; throws <see cref="InvalidDataException"/> when it is not one.</summary>
    public static TrainingCheckpoint Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"No checkpoint at '{path}'. Pass the checkpoint folder (holding {FileName}) or the file itself.", path);
        try
        {
            using var zip = ZipFile.OpenRead(path);
            var meta = JsonSerializer.Deserialize<Meta>(ReadAll(zip, "checkpoint.json"), Json)
                ?? throw new InvalidDataException($"'{path}' has an empty checkpoint.json.");
            if (meta.FormatVersion > FormatVersion)
                throw new InvalidDataException($"'{path}' has checkpoint format {meta.FormatVersion}; this build reads up to {FormatVersion}. Update MlNetDigits.");
            return new TrainingCheckpoint
            {
                Settings = meta.Settings,
                Epoch = meta.Epoch,
                SchedulerStep = meta.SchedulerStep,
                RandomState = meta.RandomState,
                History = meta.History,
                BestMetric = meta.BestMetric,
                BestEpoch = meta.BestEpoch,
                Weights = StateDictionary.Load(new MemoryStream(ReadAll(zip, "weights.bin"))),
                BestWeights = zip.GetEntry("best.bin") is null ? null : StateDictionary.Load(new MemoryStream(ReadAll(zip, "best.bin"))),
                OptimizerState = ReadAll(zip, "optimizer.bin"),
            };
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid training checkpoint: {e.Message}", e);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith($"'{path}'", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"'{path}' is not a valid training checkpoint: {e.Message}", e);
        }
    }

    private static void Write(ZipArchive zip, string name, Action<Stream> write)
    {
        using var stream = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
        write(stream);
    }

    private static byte[] ReadAll(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"the entry '{name}' is missing");
        using var stream = entry.Open();
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    private sealed record Meta(int FormatVersion, ImageClassificationSettings Settings, int Epoch, int SchedulerStep, ulong[] RandomState,
        ImageClassificationEpoch[] History, double? BestMetric, int BestEpoch);
}

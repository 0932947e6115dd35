using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetDigits;

/// <summary>
/// A model as served by a pool or a <see cref="DigitClassifier"/>: the fitted ML.NET transformer, the input schema it was
/// saved with, where it came from, and a version that changes whenever the file's content does. Disposing it releases
/// what its transformers hold (ONNX Runtime sessions and their threads).
/// </summary>
public sealed class LoadedModel : IDisposable
{
    /// <summary>The largest model file read into memory: 1 GiB.</summary>
    public const long FileSizeLimit = 1L << 30;

    /// <summary>The most a model zip may inflate to, all entries together: 2 GiB.</summary>
    public const long InflatedSizeLimit = 2L << 30;

    private int _disposed;

    internal LoadedModel(ITransformer transformer, DataViewSchema inputSchema, string name, string version, string? filePath,
        DateTimeOffset? fileTimestamp)
    {
        Transformer = transformer;
        InputSchema = inputSchema;
        Name = name;
        Version = version;
        FilePath = filePath;
        FileTimestamp = fileTimestamp;
        LoadedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>The fitted model (usually an ML.NET transformer chain).</summary>
    public ITransformer Transformer { get; }

    /// <summary>The schema the model was saved with (empty when it was saved without one).</summary>
    public DataViewSchema InputSchema { get; }

    /// <summary>A short name: the file name without extension (e.g. "cnn-best"), or the name given for an in-memory model.</summary>
    public string Name { get; }

    /// <summary>The first 12 hex digits of the SHA-256 of the model file's bytes ("memory" for an in-memory model).</summary>
    public string Version { get; }

    /// <summary>The full path of the model file, or null.</summary>
    public string? FilePath { get; }

    /// <summary>The file's last write time when it was read, or null.</summary>
    public DateTimeOffset? FileTimestamp { get; }

    /// <summary>When this model was loaded.</summary>
    public DateTimeOffset LoadedAt { get; }

    /// <summary>"name (version)", for logs and pages.</summary>
    public override string ToString() => $"{Name} ({Version})";

    /// <summary>An in-memory model (it is not disposed with the loaded model: the caller owns it).</summary>
    public static LoadedModel FromTransformer(ITransformer model, DataViewSchema? inputSchema, string name = "model") =>
        new(model ?? throw new ArgumentNullException(nameof(model)), inputSchema ?? new DataViewSchema.Builder().ToSchema(), name, "memory", null, null) { _owned = false };

    private bool _owned = true;

    /// <summary>Loads an ML.NET model file, recording the hash of its bytes as the version.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidModelException">The file is not a valid ML.NET model, or is too large.</exception>
    public static LoadedModel FromFile(string path, MLContext? ml = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        var (bytes, timestamp) = ReadFile(fullPath);
        return FromBytes(bytes, fullPath, Path.GetFileNameWithoutExtension(fullPath), timestamp, ml);
    }

    /// <summary>Loads a model from its file's bytes; the path (or the name) appears in errors.</summary>
    internal static LoadedModel FromBytes(byte[] bytes, string? filePath, string name, DateTimeOffset? timestamp, MLContext? ml = null)
    {
        var source = filePath is null ? $"model '{name}'" : $"model file '{filePath}'";
        CheckZip(bytes, source);
        ml ??= new MLContext(seed: 0);
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            var transformer = ml.Model.Load(stream, out var schema);
            return new LoadedModel(transformer, schema, name, HashOf(bytes), filePath, timestamp);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not InvalidModelException)
        {
            throw new InvalidModelException($"The {source} is not a model ML.NET can load: {FirstLine(e.Message)}", e);
        }
    }

    /// <summary>Reads a model file's bytes, retrying briefly while another process still holds it open for writing.</summary>
    internal static (byte[] Bytes, DateTimeOffset Timestamp) ReadFile(string fullPath)
    {
        if (!File.Exists(fullPath))
            throw new FileNotFoundException($"Model file '{fullPath}' does not exist. Train one (see models/README.md) or pass the path of an existing .zip.", fullPath);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                var timestamp = new DateTimeOffset(File.GetLastWriteTimeUtc(fullPath), TimeSpan.Zero);
                using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                if (stream.Length > FileSizeLimit)
                    throw new InvalidModelException($"Model file '{fullPath}' is {stream.Length:N0} bytes; model files are limited to {FileSizeLimit:N0}.");
                var bytes = new byte[stream.Length];
                stream.ReadExactly(bytes);
                return (bytes, timestamp);
            }
            catch (IOException) when (attempt < 5 && File.Exists(fullPath))
            {
                Thread.Sleep(50 * attempt);
            }
        }
    }

    /// <summary>
    /// Refuses what is not a zip, and a zip whose entries would inflate beyond <see cref="InflatedSizeLimit"/> — checked from
    /// the central directory before anything is inflated, so a zip bomb costs nothing.
    /// </summary>
    private static void CheckZip(byte[] bytes, string source)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
            long total = 0;
            foreach (var entry in zip.Entries)
            {
                total += entry.Length;
                if (entry.Length < 0 || total > InflatedSizeLimit)
                    throw new InvalidModelException($"The {source} would inflate to more than {InflatedSizeLimit:N0} bytes ({zip.Entries.Count} entries); refusing to load it.");
            }
            if (zip.GetEntry("TransformerChain/Model.key") is null && !zip.Entries.Any(e => e.FullName.EndsWith("Model.key", StringComparison.Ordinal)))
                throw new InvalidModelException($"The {source} is a zip but not an ML.NET model (it has no Model.key entry). Save models with mlContext.Model.Save.");
        }
        catch (InvalidDataException e)
        {
            throw new InvalidModelException($"The {source} is not a valid model file: it is not a readable zip ({e.Message}).", e);
        }
    }

    internal static string HashOf(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes))[..12];

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    /// <summary>Disposes the transformers this model loaded (ONNX Runtime sessions); an in-memory model is left to its owner.</summary>
    public void Dispose()
    {
        if (!_owned || Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        DisposeAll(Transformer);
    }

    private static void DisposeAll(ITransformer transformer)
    {
        if (transformer is IEnumerable<ITransformer> chain)
            foreach (var inner in chain)
                DisposeAll(inner);
        (transformer as IDisposable)?.Dispose();
    }
}

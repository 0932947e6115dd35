using System.Security.Cryptography;
using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Model;

namespace MlNetDigits.Prediction;

/// <summary>
/// A model as served by a pool or a <see cref="DigitClassifier"/>: the fitted transformer, the input schema it was saved
/// with, where it came from, and a version that changes whenever the file's content does.
/// </summary>
public sealed class LoadedModel
{
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

    /// <summary>The fitted model (usually a transformer chain).</summary>
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

    /// <summary>Loads a model file's bytes, recording their hash as the version.</summary>
    internal static LoadedModel FromBytes(byte[] bytes, string? filePath, string name, DateTimeOffset? timestamp)
    {
        var context = new DigitsContext(seed: 0);
        using var stream = new MemoryStream(bytes, writable: false);
        var transformer = context.Model.Load(stream, out var schema);
        return new LoadedModel(transformer, schema, name, HashOf(bytes), filePath, timestamp);
    }

    /// <summary>Reads and loads <paramref name="path"/>, retrying briefly while another process still holds it open for writing.</summary>
    internal static LoadedModel FromFile(string path)
    {
        var fullPath = Path.GetFullPath(path);
        var (bytes, timestamp) = ReadFile(fullPath);
        return FromBytes(bytes, fullPath, Path.GetFileNameWithoutExtension(fullPath), timestamp);
    }

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
                if (stream.Length > ModelFileSizeLimit)
                    throw new InvalidModelException($"Model file '{fullPath}' is {stream.Length:N0} bytes; model files are limited to {ModelFileSizeLimit:N0}.");
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

    /// <summary>The largest model file read into memory (1 GiB).</summary>
    internal const long ModelFileSizeLimit = 1L << 30;

    internal static string HashOf(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes))[..12];
}

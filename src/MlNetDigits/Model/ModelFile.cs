using System.IO.Compression;
using System.Text.Json;
using MlNetDigits.Core;
using MlNetDigits.Data;

namespace MlNetDigits.Model;

/// <summary>
/// The model file: one zip holding manifest.json and the root stage's folder "model/". Writing is deterministic (fixed
/// entry order and timestamps), so the same model gives the same bytes; reading checks every entry name, size and the
/// format version before any stage is built.
/// </summary>
internal static class ModelFile
{
    /// <summary>The most uncompressed bytes a model file may expand to (2 GiB): more is treated as a zip bomb.</summary>
    public const long DefaultMaxTotalBytes = 2L << 30;

    /// <summary>The most entries a model file may hold.</summary>
    public const int MaxEntries = 100_000;

    // The DOS epoch zip can store; any fixed time keeps the bytes of two saves of one model equal.
    private static readonly DateTimeOffset EntryTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Asks every stage to save itself into memory: the entries of the file, manifest.json first.</summary>
    public static List<KeyValuePair<string, byte[]>> CollectEntries(ITransformer model, DataViewSchema? inputSchema)
    {
        ArgumentNullException.ThrowIfNull(model);
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        ModelStageRegistry.SaveStage(entries, ModelManifest.RootFolder, model);
        var manifest = JsonSerializer.SerializeToUtf8Bytes(ModelManifest.Create(inputSchema), ModelSaveContext.JsonOptions);
        return [new(ModelManifest.EntryName, manifest), .. entries.OrderBy(e => e.Key, StringComparer.Ordinal)];
    }

    /// <summary>Writes <paramref name="entries"/> as a zip into <paramref name="stream"/> (left open).</summary>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, byte[]>> entries)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var (name, data) in entries)
        {
            var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
            entry.LastWriteTime = EntryTime;
            using var s = entry.Open();
            s.Write(data);
        }
    }

    /// <summary>Reads a model file and builds its root stage; <paramref name="source"/> names the file in messages.</summary>
    public static ITransformer Read(Stream stream, string source, out DataViewSchema inputSchema, long maxTotalBytes = DefaultMaxTotalBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var entries = ReadEntries(stream, source, maxTotalBytes);
        var manifest = ReadManifest(entries, source);
        inputSchema = manifest.ToSchema();
        if (!ModelPaths.IsSafeRelative(manifest.Root))
            throw new InvalidModelException($"Model file '{source}' names root folder '{manifest.Root}', which is not a safe relative path.");
        ICanSaveModel stage;
        try
        {
            stage = ModelStageRegistry.LoadStage(entries, manifest.Root);
        }
        catch (InvalidModelException e)
        {
            throw new InvalidModelException($"Model file '{source}' cannot be loaded: {e.Message}", e);
        }
        return stage as ITransformer
            ?? throw new InvalidModelException($"Model file '{source}' holds a {stage.GetType().Name} at its root, which is not a transformer.");
    }

    /// <summary>Every file entry of the zip, checked: safe names, no duplicates, sizes counted while inflating.</summary>
    public static Dictionary<string, byte[]> ReadEntries(Stream stream, string source, long maxTotalBytes = DefaultMaxTotalBytes)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidModelException($"Model file '{source}' is not a valid zip archive (it may be truncated or not a model file): {e.Message}", e);
        }

        using (zip)
        {
            IReadOnlyCollection<ZipArchiveEntry> all;
            try
            {
                all = zip.Entries;
            }
            catch (InvalidDataException e)
            {
                throw new InvalidModelException($"Model file '{source}' has a damaged zip directory: {e.Message}", e);
            }
            if (all.Count > MaxEntries)
                throw new InvalidModelException($"Model file '{source}' has {all.Count} entries; a model file holds at most {MaxEntries}.");

            var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            long budget = maxTotalBytes;
            foreach (var entry in all)
            {
                var name = entry.FullName;
                var isFolder = name.EndsWith('/');
                var path = isFolder ? name[..^1] : name;
                if (!ModelPaths.IsSafeRelative(path))
                    throw new InvalidModelException(
                        $"Model file '{source}' has entry '{name}', whose path escapes its folder (absolute, '..', '\\' or a drive); the file is refused.");
                if (isFolder)
                    continue;
                if (entries.ContainsKey(name))
                    throw new InvalidModelException($"Model file '{source}' has entry '{name}' twice.");
                var data = ReadEntry(entry, source, budget, maxTotalBytes);
                budget -= data.Length;
                entries.Add(name, data);
            }
            return entries;
        }
    }

    /// <summary>Inflates one entry, counting the bytes actually produced (the header's size is not trusted).</summary>
    private static byte[] ReadEntry(ZipArchiveEntry entry, string source, long budget, long maxTotalBytes)
    {
        var limit = Math.Min(budget, Array.MaxLength);
        try
        {
            using var input = entry.Open();
            using var output = new MemoryStream((int)Math.Clamp(entry.Length, 0, Math.Min(limit, 1 << 20)));
            var buffer = new byte[81920];
            int read;
            while ((read = input.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (output.Length + read > limit)
                    throw new InvalidModelException(
                        $"Model file '{source}' expands beyond {maxTotalBytes} bytes (at entry '{entry.FullName}'); it is refused as a possible zip bomb.");
                output.Write(buffer, 0, read);
            }
            if (output.Length != entry.Length)
                throw new InvalidModelException(
                    $"Model file '{source}' has entry '{entry.FullName}' that is truncated or damaged: its header says {entry.Length} bytes but it holds {output.Length}.");
            return output.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new InvalidModelException($"Model file '{source}' has entry '{entry.FullName}' that is truncated or damaged: {e.Message}", e);
        }
    }

    private static ModelManifest ReadManifest(Dictionary<string, byte[]> entries, string source)
    {
        if (!entries.TryGetValue(ModelManifest.EntryName, out var bytes))
            throw new InvalidModelException(
                $"Model file '{source}' has no {ModelManifest.EntryName}: it is not an MlNetDigits model file (entries: {DescribeEntries(entries)}).");
        try
        {
            // The format and version are checked before the rest is bound, so a newer layout still gets the right message.
            using (var document = JsonDocument.Parse(bytes))
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object
                    || !root.TryGetProperty(nameof(ModelManifest.Format), out var format) || format.ValueKind != JsonValueKind.String
                    || !format.ValueEquals(ModelManifest.FormatName))
                    throw new InvalidModelException(
                        $"Model file '{source}' has a {ModelManifest.EntryName} that does not name format '{ModelManifest.FormatName}': it is not an MlNetDigits model file.");
                if (!root.TryGetProperty(nameof(ModelManifest.FormatVersion), out var versionElement) || !versionElement.TryGetInt32(out var version) || version < 1)
                    throw new InvalidModelException($"Model file '{source}' has a {ModelManifest.EntryName} without a valid {nameof(ModelManifest.FormatVersion)}.");
                if (version > ModelManifest.CurrentFormatVersion)
                {
                    var writer = root.TryGetProperty(nameof(ModelManifest.LibraryVersion), out var lib) && lib.ValueKind == JsonValueKind.String
                        ? $" {lib.GetString()}" : "";
                    throw new InvalidModelException(
                        $"Model file '{source}' was saved by a newer MlNetDigits{writer} (format {version}); this version ({ModelManifest.CurrentLibraryVersion}) reads up to format {ModelManifest.CurrentFormatVersion}. Upgrade MlNetDigits to load it.");
                }
            }
            var manifest = JsonSerializer.Deserialize<ModelManifest>(bytes, ModelSaveContext.JsonOptions);
            if (manifest?.Root is null)
                throw new InvalidModelException($"Model file '{source}' has a {ModelManifest.EntryName} without a {nameof(ModelManifest.Root)} folder.");
            return manifest;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string that is not valid UTF-8.
            throw new InvalidModelException($"Model file '{source}' has a {ModelManifest.EntryName} that is not valid JSON: {e.Message}", e);
        }
    }

    private static string DescribeEntries(Dictionary<string, byte[]> entries) =>
        entries.Count == 0 ? "none" : string.Join(", ", entries.Keys.Take(5).Select(k => $"'{k}'")) + (entries.Count > 5 ? ", ..." : "");
}

using MlNetDigits.Core;
using MlNetDigits.Data;

namespace MlNetDigits.Model;

public sealed partial class ModelOperationsCatalog
{
    /// <summary>
    /// Saves <paramref name="model"/> and the schema of the data it was trained on to a model file (one versioned zip).
    /// The save is atomic: the file is written under a temporary name in the same folder, flushed, then renamed over
    /// <paramref name="filePath"/>, so a failed save leaves an existing file as it was.
    /// </summary>
    /// <param name="model">The fitted transformer (usually a <see cref="TransformerChain{TLastTransformer}"/>).</param>
    /// <param name="inputSchema">The schema of the model's input (e.g. <c>trainData.Schema</c>), or null.</param>
    /// <param name="filePath">Where to write; the folder is created when missing.</param>
    public void Save(ITransformer model, DataViewSchema? inputSchema, string filePath)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        var fullPath = Path.GetFullPath(filePath);
        var folder = Path.GetDirectoryName(fullPath) ?? throw new ArgumentException($"'{filePath}' has no folder.", nameof(filePath));

        // Stages save into memory first: a stage that fails never touches the file system.
        var entries = ModelFile.CollectEntries(model, inputSchema);
        Directory.CreateDirectory(folder);
        var tempPath = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                ModelFile.Write(stream, entries);
                stream.Flush(flushToDisk: true);
            }
            File.Move(tempPath, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(tempPath);
            throw;
        }
    }

    /// <summary>Writes <paramref name="model"/> as a model file into <paramref name="stream"/> (which stays open).</summary>
    public void Save(ITransformer model, DataViewSchema? inputSchema, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        ModelFile.Write(stream, ModelFile.CollectEntries(model, inputSchema));
    }

    /// <summary>
    /// Loads a model file written by <see cref="Save(ITransformer, DataViewSchema?, string)"/>.
    /// </summary>
    /// <param name="filePath">The model file.</param>
    /// <param name="inputSchema">The input schema saved with the model (empty when it was saved without one).</param>
    /// <exception cref="InvalidModelException">The file is corrupt, truncated, unsafe, or from a newer format version.</exception>
    public ITransformer Load(string filePath, out DataViewSchema inputSchema)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        using var stream = new FileStream(filePath, FileMode.Open, FileAccess.Read, FileShare.Read);
        return ModelFile.Read(stream, filePath, out inputSchema);
    }

    /// <summary>Loads a model file from <paramref name="stream"/> (which stays open).</summary>
    /// <exception cref="InvalidModelException">The data is corrupt, truncated, unsafe, or from a newer format version.</exception>
    public ITransformer Load(Stream stream, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ModelFile.Read(stream, "(stream)", out inputSchema);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the temporary file is hidden and named uniquely; it never replaces the model.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

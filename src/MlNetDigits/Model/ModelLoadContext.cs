using System.Text;
using System.Text.Json;

namespace MlNetDigits.Model;

/// <summary>Where a stage reads itself back: its folder of entries in a model file being loaded.</summary>
public sealed class ModelLoadContext
{
    private readonly IReadOnlyDictionary<string, byte[]> _entries;

    internal ModelLoadContext(IReadOnlyDictionary<string, byte[]> entries, string folder, int stageVersion)
    {
        _entries = entries;
        Folder = folder;
        StageVersion = stageVersion;
    }

    /// <summary>The stage's folder inside the model file.</summary>
    public string Folder { get; }

    /// <summary>The version the stage was saved with (see <see cref="ModelStageAttribute.Version"/>).</summary>
    public int StageVersion { get; }

    /// <summary>True when the stage's folder holds entry <paramref name="name"/>.</summary>
    public bool Contains(string name) => _entries.ContainsKey(Combine(name));

    /// <summary>Reads a binary entry; throws <see cref="InvalidModelException"/> when it is missing or too short.</summary>
    public T ReadBinary<T>(string name, Func<BinaryReader, T> read)
    {
        var path = Combine(name);
        using var reader = new BinaryReader(new MemoryStream(Get(path), writable: false), Encoding.UTF8);
        try
        {
            var value = read(reader);
            if (reader.BaseStream.Position != reader.BaseStream.Length)
                throw new InvalidModelException($"Model entry '{path}' has {reader.BaseStream.Length - reader.BaseStream.Position} unexpected bytes at its end.");
            return value;
        }
        catch (EndOfStreamException)
        {
            throw new InvalidModelException($"Model entry '{path}' is truncated.");
        }
    }

    /// <summary>Reads a UTF-8 text entry.</summary>
    public string ReadText(string name) => Encoding.UTF8.GetString(Get(Combine(name)));

    /// <summary>Reads a JSON entry.</summary>
    public T ReadJson<T>(string name)
    {
        var path = Combine(name);
        try
        {
            return JsonSerializer.Deserialize<T>(Get(path), ModelSaveContext.JsonOptions)
                ?? throw new InvalidModelException($"Model entry '{path}' is empty JSON.");
        }
        catch (JsonException e)
        {
            throw new InvalidModelException($"Model entry '{path}' is not valid JSON: {e.Message}");
        }
    }

    /// <summary>Loads a nested stage saved with <see cref="ModelSaveContext.SaveStage"/>.</summary>
    public ICanSaveModel LoadStage(string name) => ModelStageRegistry.LoadStage(_entries, Combine(name));

    private byte[] Get(string path) =>
        _entries.TryGetValue(path, out var data) ? data : throw new InvalidModelException($"Model entry '{path}' is missing.");

    private string Combine(string name)
    {
        ModelPaths.CheckRelativeName(name);
        return Folder.Length == 0 ? name : $"{Folder}/{name}";
    }
}

using System.Text;
using System.Text.Json;

namespace MlNetDigits.Model;

/// <summary>
/// Where a stage writes itself: a folder of entries inside the model file. Binary entries are little-endian
/// (<see cref="BinaryWriter"/>); text and JSON entries are human-readable sidecars.
/// </summary>
public sealed class ModelSaveContext
{
    internal static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private readonly IDictionary<string, byte[]> _entries;

    internal ModelSaveContext(IDictionary<string, byte[]> entries, string folder)
    {
        _entries = entries;
        Folder = folder;
    }

    /// <summary>The stage's folder inside the model file, with '/' separators and no trailing slash.</summary>
    public string Folder { get; }

    /// <summary>Writes a binary entry through a little-endian <see cref="BinaryWriter"/>.</summary>
    public void WriteBinary(string name, Action<BinaryWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            write(writer);
        Put(name, stream.ToArray());
    }

    /// <summary>Writes a UTF-8 text entry.</summary>
    public void WriteText(string name, string text) => Put(name, Encoding.UTF8.GetBytes(text));

    /// <summary>Writes <paramref name="value"/> as an indented JSON entry.</summary>
    public void WriteJson<T>(string name, T value) => Put(name, JsonSerializer.SerializeToUtf8Bytes(value, JsonOptions));

    /// <summary>Saves a nested stage into the sub-folder <paramref name="name"/>.</summary>
    public void SaveStage(string name, ICanSaveModel stage) => ModelStageRegistry.SaveStage(_entries, Combine(name), stage);

    private void Put(string name, byte[] data)
    {
        var path = Combine(name);
        if (!_entries.TryAdd(path, data))
            throw new InvalidOperationException($"Model entry '{path}' was written twice.");
    }

    private string Combine(string name)
    {
        ModelPaths.CheckRelativeName(name);
        return Folder.Length == 0 ? name : $"{Folder}/{name}";
    }
}

using System.Text;
using MlNetDigits.Engine;

namespace MlNetDigits.Engine.Tests.Fixtures;

/// <summary>
/// Named float32 tensors written by PyTorch scripts under scripts/fixtures (layout documented in fixture_io.py) and
/// committed to tests/MlNetDigits.Engine.Tests/Fixtures/data, so tests compare against PyTorch without needing it.
/// </summary>
public sealed class TorchFixture
{
    private readonly Dictionary<string, Tensor> _tensors;

    private TorchFixture(Dictionary<string, Tensor> tensors) => _tensors = tensors;

    /// <summary>The folder holding the committed fixture files (copied next to the test assembly).</summary>
    public static string DataFolder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "data");

    public IReadOnlyCollection<string> Names => _tensors.Keys;

    /// <summary>Loads Fixtures/data/<paramref name="name"/>.bin.</summary>
    public static TorchFixture Load(string name)
    {
        var path = Path.Combine(DataFolder, name + ".bin");
        using var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
        if (Encoding.ASCII.GetString(reader.ReadBytes(4)) != "MNDF")
            throw new InvalidDataException($"{path} is not a fixture file (magic MNDF expected).");
        var version = reader.ReadInt32();
        if (version != 1)
            throw new InvalidDataException($"{path} has fixture version {version}; version 1 expected.");
        var count = reader.ReadInt32();
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            var tensorName = Encoding.UTF8.GetString(reader.ReadBytes(reader.ReadInt32()));
            var shape = new int[reader.ReadInt32()];
            for (int d = 0; d < shape.Length; d++)
                shape[d] = reader.ReadInt32();
            var tensor = new Tensor(shape);
            for (int j = 0; j < tensor.Length; j++)
                tensor.Data[j] = reader.ReadSingle();
            tensors.Add(tensorName, tensor);
        }
        return new TorchFixture(tensors);
    }

    public Tensor this[string name] => _tensors.TryGetValue(name, out var t)
        ? t
        : throw new KeyNotFoundException($"Fixture has no tensor '{name}'. It has: {string.Join(", ", _tensors.Keys)}.");

    /// <summary>A scalar stored as a 0-d or 1-element tensor.</summary>
    public float Scalar(string name) => this[name].Data[0];
}

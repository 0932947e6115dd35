using System.Buffers.Binary;
using System.Text;

namespace MlNetDigits.Engine;

/// <summary>
/// Saves and loads named tensors (a network's parameters and buffers) in a small binary format, all little-endian:
/// magic "MNSD" (4 bytes), version int32 = 1, count int32, then per tensor: name length int32, name UTF-8 bytes,
/// rank int32, dims int32[rank], values float32[product of dims].
/// </summary>
public static class StateDictionary
{
    private static readonly byte[] Magic = "MNSD"u8.ToArray();

    /// <summary>The format version written by <c>Save</c>.</summary>
    public const int Version = 1;

    /// <summary>Writes <paramref name="entries"/> to <paramref name="stream"/>.</summary>
    public static void Save(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> entries)
    {
        var list = entries.ToList();
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(Version);
        writer.Write(list.Count);
        Span<byte> four = stackalloc byte[4];
        foreach (var (name, tensor) in list)
        {
            var bytes = Encoding.UTF8.GetBytes(name);
            writer.Write(bytes.Length);
            writer.Write(bytes);
            writer.Write(tensor.Rank);
            foreach (var d in tensor.Shape)
                writer.Write(d);
            foreach (var v in tensor.IsOnHost ? tensor.Data : tensor.ToArray())
            {
                BinaryPrimitives.WriteSingleLittleEndian(four, v);
                writer.Write(four);
            }
        }
    }

    /// <summary>Reads a state dictionary written by <c>Save</c>, in file order.</summary>
    public static Dictionary<string, Tensor> Load(Stream stream)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            var magic = reader.ReadBytes(4);
            if (!magic.AsSpan().SequenceEqual(Magic))
                throw new InvalidDataException("This is not a MlNetDigits state dictionary (the file does not start with 'MNSD').");
            int version = reader.ReadInt32();
            if (version > Version)
                throw new InvalidDataException($"The state dictionary has format version {version}; this build reads up to version {Version}. Update MlNetDigits.");
            int count = reader.ReadInt32();
            if (count < 0)
                throw new InvalidDataException($"The state dictionary claims {count} entries.");
            var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            for (int i = 0; i < count; i++)
            {
                int nameLength = reader.ReadInt32();
                if (nameLength < 0 || nameLength > 4096)
                    throw new InvalidDataException($"Entry {i} has an invalid name length {nameLength}.");
                var name = Encoding.UTF8.GetString(reader.ReadBytes(nameLength));
                int rank = reader.ReadInt32();
                if (rank < 0 || rank > 8)
                    throw new InvalidDataException($"Entry '{name}' has an invalid rank {rank}.");
                var shape = new int[rank];
                for (int d = 0; d < rank; d++)
                    shape[d] = reader.ReadInt32();
                var tensor = new Tensor(shape);
                var bytes = reader.ReadBytes(checked(tensor.Length * 4));
                if (bytes.Length != tensor.Length * 4)
                    throw new EndOfStreamException();
                for (int j = 0; j < tensor.Length; j++)
                    tensor.Data[j] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(j * 4));
                result.Add(name, tensor);
            }
            return result;
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("The state dictionary is truncated: the stream ended before all entries were read.");
        }
    }

    /// <summary>Saves <paramref name="layer"/>'s parameters and buffers to <paramref name="path"/> (written to a temporary file, then renamed).</summary>
    public static void Save(string path, Layers.Layer layer)
    {
        var temp = path + ".tmp";
        using (var stream = File.Create(temp))
            Save(stream, layer.StateDict());
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Loads <paramref name="path"/> into <paramref name="layer"/>'s parameters and buffers.</summary>
    public static void Load(string path, Layers.Layer layer)
    {
        using var stream = File.OpenRead(path);
        layer.LoadStateDict(Load(stream));
    }
}

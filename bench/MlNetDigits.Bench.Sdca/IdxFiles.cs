using System.Buffers.Binary;
using System.IO.Compression;

namespace MlNetDigits.Bench.Sdca;

/// <summary>Reads MNIST's IDX files (raw or .gz) into arrays, for the benchmark only.</summary>
internal static class IdxFiles
{
    /// <summary>Images as (count, rows * cols) bytes.</summary>
    public static (byte[] Pixels, int Count, int Size) ReadImages(string path)
    {
        var bytes = ReadAll(path);
        if (BinaryPrimitives.ReadInt32BigEndian(bytes) != 0x0803)
            throw new InvalidDataException($"{path} is not an IDX image file.");
        int count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        int size = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8)) * BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(12));
        return (bytes.AsSpan(16, count * size).ToArray(), count, size);
    }

    public static byte[] ReadLabels(string path)
    {
        var bytes = ReadAll(path);
        if (BinaryPrimitives.ReadInt32BigEndian(bytes) != 0x0801)
            throw new InvalidDataException($"{path} is not an IDX label file.");
        int count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        return bytes.AsSpan(8, count).ToArray();
    }

    /// <summary>The file at <paramref name="path"/>, or at path + ".gz" decompressed.</summary>
    private static byte[] ReadAll(string path)
    {
        if (File.Exists(path))
            return File.ReadAllBytes(path);
        using var gz = new GZipStream(File.OpenRead(path + ".gz"), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gz.CopyTo(memory);
        return memory.ToArray();
    }
}

using System.Buffers.Binary;
using System.IO.Compression;

namespace MlNetDigits.Tests;

/// <summary>Builds small IDX files (raw or gzipped) in a temporary folder for reader tests.</summary>
internal sealed class IdxTestFiles : IDisposable
{
    public IdxTestFiles()
    {
        Folder = Path.Combine(Path.GetTempPath(), "mlnd-idx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    /// <summary>An IDX header: 00 00 type ndim, then each size big-endian.</summary>
    public static byte[] Header(byte type, params uint[] dims)
    {
        var header = new byte[4 + 4 * dims.Length];
        header[2] = type;
        header[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++)
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4 + 4 * i), dims[i]);
        return header;
    }

    /// <summary>A valid image file's bytes: <paramref name="count"/> images whose pixel j of image i is (i * 7 + j) % 256.</summary>
    public static byte[] Images(int count, int rows, int columns)
    {
        var header = Header(0x08, (uint)count, (uint)rows, (uint)columns);
        var bytes = new byte[header.Length + count * rows * columns];
        header.CopyTo(bytes, 0);
        for (int i = 0; i < count; i++)
            for (int j = 0; j < rows * columns; j++)
                bytes[header.Length + i * rows * columns + j] = (byte)((i * 7 + j) % 256);
        return bytes;
    }

    /// <summary>A valid label file's bytes: label i is i % 10.</summary>
    public static byte[] Labels(int count)
    {
        var header = Header(0x08, (uint)count);
        var bytes = new byte[header.Length + count];
        header.CopyTo(bytes, 0);
        for (int i = 0; i < count; i++)
            bytes[header.Length + i] = (byte)(i % 10);
        return bytes;
    }

    /// <summary>Writes <paramref name="bytes"/> as <paramref name="name"/>, gzipped when <paramref name="gzip"/>.</summary>
    public string Write(string name, byte[] bytes, bool gzip = false)
    {
        var path = Path.Combine(Folder, name);
        if (!gzip)
        {
            File.WriteAllBytes(path, bytes);
            return path;
        }
        using (var file = File.Create(path))
        using (var zip = new GZipStream(file, CompressionLevel.Fastest))
            zip.Write(bytes);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

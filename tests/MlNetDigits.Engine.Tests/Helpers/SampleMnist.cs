using System.Buffers.Binary;
using System.IO.Compression;

namespace MlNetDigits.Engine.Tests.Helpers;

/// <summary>
/// Reads the committed MNIST samples under data/sample (copied next to the test assembly): gzip-compressed IDX files,
/// images IDX3 (big-endian magic 0x00000803, count, rows, cols, then one byte per pixel) and labels IDX1 (0x00000801, count, bytes).
/// </summary>
internal static class SampleMnist
{
    /// <summary>The raw-pixel normalisation MNIST models are trained with: x' = (x / 255 - 0.1307) / 0.3081.</summary>
    public const float Scale = (float)(1.0 / (255 * 0.3081)), Shift = (float)(-0.1307 / 0.3081);

    private static string PathOf(string fileName) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "mnist", fileName);

    /// <summary>The first <paramref name="count"/> images of an IDX3 sample as raw 0..255 floats: (count, 1, rows, cols).</summary>
    public static Tensor Images(string fileName, int count)
    {
        var bytes = Decompress(fileName);
        int magic = BinaryPrimitives.ReadInt32BigEndian(bytes), available = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        int rows = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8)), cols = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(12));
        if (magic != 0x803 || count > available || bytes.Length < 16 + (long)available * rows * cols)
            throw new InvalidDataException($"{fileName}: expected an IDX3 image file with at least {count} images; magic 0x{magic:X}, {available} images.");
        var images = new Tensor(count, 1, rows, cols);
        for (int i = 0; i < images.Length; i++)
            images.Data[i] = bytes[16 + i];
        return images;
    }

    /// <summary>The first <paramref name="count"/> labels of an IDX1 sample.</summary>
    public static int[] Labels(string fileName, int count)
    {
        var bytes = Decompress(fileName);
        int magic = BinaryPrimitives.ReadInt32BigEndian(bytes), available = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        if (magic != 0x801 || count > available)
            throw new InvalidDataException($"{fileName}: expected an IDX1 label file with at least {count} labels; magic 0x{magic:X}, {available} labels.");
        return [.. bytes.AsSpan(8, count).ToArray().Select(b => (int)b)];
    }

    /// <summary>x * Scale + Shift elementwise, in float as the exported graph's Mul and Add compute it.</summary>
    public static Tensor Normalize(Tensor raw)
    {
        var x = raw.Clone();
        for (int i = 0; i < x.Length; i++)
            x.Data[i] = x.Data[i] * Scale + Shift;
        return x;
    }

    private static byte[] Decompress(string fileName)
    {
        using var gzip = new GZipStream(File.OpenRead(PathOf(fileName)), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        return memory.ToArray();
    }
}

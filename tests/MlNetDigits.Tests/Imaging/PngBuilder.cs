using System.Buffers.Binary;
using System.IO.Compression;
using MlNetDigits.Imaging;

namespace MlNetDigits.Tests.Imaging;

/// <summary>Assembles PNG files chunk by chunk, valid or deliberately broken, for the decoder's tests.</summary>
internal static class PngBuilder
{
    public static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>One chunk with a correct CRC.</summary>
    public static byte[] Chunk(string type, ReadOnlySpan<byte> data)
    {
        using var stream = new MemoryStream();
        PngEncoder.WriteChunk(stream, System.Text.Encoding.ASCII.GetBytes(type), data);
        return stream.ToArray();
    }

    public static byte[] Ihdr(uint width, uint height, byte depth, byte colorType, byte interlace = 0,
        byte compression = 0, byte filter = 0)
    {
        var data = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(data, width);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), height);
        data[8] = depth;
        data[9] = colorType;
        data[10] = compression;
        data[11] = filter;
        data[12] = interlace;
        return Chunk("IHDR", data);
    }

    public static byte[] Idat(ReadOnlySpan<byte> raw) => Chunk("IDAT", Zlib(raw));

    public static byte[] Iend() => Chunk("IEND", []);

    public static byte[] Zlib(ReadOnlySpan<byte> raw)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true))
            zlib.Write(raw);
        return output.ToArray();
    }

    /// <summary>The signature followed by <paramref name="chunks"/>.</summary>
    public static byte[] Png(params byte[][] chunks) => [.. Signature, .. chunks.SelectMany(c => c)];

    /// <summary>A valid 8-bit gray PNG: rows with filter None.</summary>
    public static byte[] Gray8(int width, int height, Func<int, int, byte> pixel)
    {
        var raw = new byte[height * (width + 1)];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                raw[y * (width + 1) + 1 + x] = pixel(x, y);
        return Png(Ihdr((uint)width, (uint)height, 8, 0), Idat(raw), Iend());
    }

    /// <summary>A valid 8-bit RGBA PNG (filter None); <paramref name="pixel"/> gives R, G, B, A.</summary>
    public static byte[] Rgba8(int width, int height, Func<int, int, (byte R, byte G, byte B, byte A)> pixel)
    {
        int stride = 1 + 4 * width;
        var raw = new byte[height * stride];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var (r, g, b, a) = pixel(x, y);
                int at = y * stride + 1 + 4 * x;
                (raw[at], raw[at + 1], raw[at + 2], raw[at + 3]) = (r, g, b, a);
            }
        return Png(Ihdr((uint)width, (uint)height, 8, 6), Idat(raw), Iend());
    }

    /// <summary>Recomputes the CRC of the chunk that starts at <paramref name="offset"/> (after a deliberate edit).</summary>
    public static void FixCrc(byte[] png, int offset)
    {
        int length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset));
        if (length < 0 || offset + 12L + length > png.Length)
            return;
        uint crc = PngCrc32.Compute(png.AsSpan(offset + 4, 4 + length));
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(offset + 8 + length), crc);
    }

    /// <summary>The byte offsets where each chunk starts.</summary>
    public static List<int> ChunkOffsets(byte[] png)
    {
        var offsets = new List<int>();
        int pos = 8;
        while (pos + 12 <= png.Length)
        {
            offsets.Add(pos);
            long length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            if (pos + 12 + length > png.Length)
                break;
            pos += 12 + (int)length;
        }
        return offsets;
    }
}

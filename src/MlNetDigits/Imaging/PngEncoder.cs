using System.Buffers.Binary;
using System.IO.Compression;

namespace MlNetDigits.Imaging;

/// <summary>
/// Writes 8-bit grayscale PNGs (colour type 0, not interlaced), for galleries of digits and test images.
/// Each row uses the Up filter after the first (None), which suits small digit images well.
/// </summary>
public static class PngEncoder
{
    /// <summary>Encodes <paramref name="pixels"/> (row-major, 0 = black, 255 = white) as a grayscale PNG.</summary>
    public static byte[] EncodeGray(int width, int height, ReadOnlySpan<byte> pixels)
    {
        if (width <= 0 || height <= 0 || width > PngDecoder.MaxDimension || height > PngDecoder.MaxDimension)
            throw new ArgumentOutOfRangeException(nameof(width),
                $"The image size must be 1..{PngDecoder.MaxDimension} a side; found {width} x {height}.");
        if (pixels.Length != width * height)
            throw new ArgumentException($"A {width} x {height} image needs {width * height} pixels; found {pixels.Length}.", nameof(pixels));

        // filtered: (height, 1 + width), each row prefixed by its filter type
        var filtered = new byte[height * (width + 1)];
        for (int y = 0; y < height; y++)
        {
            var row = pixels.Slice(y * width, width);
            var target = filtered.AsSpan(y * (width + 1), width + 1);
            if (y == 0)
            {
                target[0] = 0; // None
                row.CopyTo(target[1..]);
                continue;
            }
            var above = pixels.Slice((y - 1) * width, width);
            target[0] = 2; // Up
            for (int x = 0; x < width; x++)
                target[1 + x] = (byte)(row[x] - above[x]);
        }

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
            zlib.Write(filtered);

        using var png = new MemoryStream();
        png.Write(PngDecoder.Signature);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], (uint)height);
        header[8] = 8; // bit depth
        header[9] = 0; // gray
        header[10] = header[11] = header[12] = 0; // deflate, filter method 0, no interlace
        WriteChunk(png, "IHDR"u8, header);
        WriteChunk(png, "IDAT"u8, compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(png, "IEND"u8, []);
        return png.ToArray();
    }

    /// <summary>Encodes <paramref name="image"/>, its intensities rounded and clamped to 0..255.</summary>
    public static byte[] EncodeGray(GrayImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return EncodeGray(image.Width, image.Height, image.ToBytes());
    }

    /// <summary>Writes one chunk: length, type, data and the CRC of type and data.</summary>
    internal static void WriteChunk(Stream stream, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, (uint)data.Length);
        stream.Write(word);
        stream.Write(type);
        stream.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, PngCrc32.Compute(data, PngCrc32.Compute(type)));
        stream.Write(word);
    }
}

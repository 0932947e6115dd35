using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MlNetDigits.Imaging;

/// <summary>
/// Decodes PNG files (all colour types and bit depths, all five filters, Adam7 interlacing) into a
/// <see cref="GrayImage"/>, in managed code. Colour becomes luminance <c>0.299 R + 0.587 G + 0.114 B</c> (ITU-R BT.601,
/// as MNIST-era tools did) on the file's sample values (no gamma correction), and alpha is composited over white,
/// because a drawing with a transparent background is dark ink on white paper.
/// </summary>
/// <remarks>
/// Safety: images over <see cref="MaxDimension"/> pixels a side are refused from the header, before any allocation;
/// the compressed data is inflated into a buffer of exactly the size the header implies and inflation stops there, so a
/// decompression bomb costs at most that buffer; every chunk's CRC is checked; malformed input throws
/// <see cref="InvalidImageException"/> with a message saying what was expected and what was found.
/// </remarks>
public static class PngDecoder
{
    /// <summary>The largest width or height accepted, in pixels.</summary>
    public const int MaxDimension = 4096;

    /// <summary>The largest encoded file accepted from a stream, in bytes (256 MiB).</summary>
    public const long MaxFileBytes = 256L * 1024 * 1024;

    /// <summary>The eight bytes every PNG file starts with.</summary>
    internal static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Decodes a PNG held in memory into grayscale (0..255, 255 = white).</summary>
    public static GrayImage Decode(ReadOnlySpan<byte> png)
    {
        var decoded = DecodeCore(png, out var header);
        int width = header.Width;
        var pixels = new float[header.Width * header.Height];
        Expand(decoded, header, (y, x0, dx, rgba, count) =>
        {
            int at = y * width + x0;
            for (int i = 0; i < count; i++, at += dx)
                pixels[at] = ToGray(rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2], rgba[4 * i + 3]);
        });
        return new GrayImage(header.Width, header.Height, pixels);
    }

    /// <summary>Reads a PNG from <paramref name="stream"/> (at most <see cref="MaxFileBytes"/>) and decodes it.</summary>
    public static GrayImage Decode(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > MaxFileBytes)
                throw new InvalidImageException(
                    $"The PNG stream is larger than {MaxFileBytes} bytes, the most this decoder reads; use a smaller image.");
            buffer.Write(chunk, 0, read);
        }
        return Decode(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>Reads and decodes the PNG file at <paramref name="path"/>.</summary>
    public static GrayImage DecodeFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Decode(stream);
    }

    /// <summary>
    /// Grayscale of one pixel given 16-bit-scale samples: BT.601 luminance, alpha composited over white (255).
    /// A pixel with R = G = B keeps its gray value exactly.
    /// </summary>
    internal static float ToGray(ushort r, ushort g, ushort b, ushort a)
    {
        float luminance = r == g && g == b
            ? r / 257f
            : (0.299f * r + 0.587f * g + 0.114f * b) / 257f;
        if (a == ushort.MaxValue)
            return luminance;
        float alpha = a / 65535f;
        return luminance * alpha + 255f * (1f - alpha);
    }

    /// <summary>
    /// Decodes to straight (not premultiplied) RGBA with every sample scaled to 16 bits (8-bit v becomes 257 v,
    /// d-bit v becomes v * 65535 / (2^d - 1)); tRNS becomes alpha. // rgba: (Height, Width, 4)
    /// </summary>
    internal static ushort[] DecodeRgba16(ReadOnlySpan<byte> png, out int width, out int height)
    {
        var decoded = DecodeCore(png, out var header);
        int w = header.Width;
        var result = new ushort[header.Width * header.Height * 4];
        Expand(decoded, header, (y, x0, dx, rgba, count) =>
        {
            for (int i = 0; i < count; i++)
                rgba.Slice(4 * i, 4).CopyTo(result.AsSpan(4 * (y * w + x0 + i * dx), 4));
        });
        width = header.Width;
        height = header.Height;
        return result;
    }

    // ---- container: chunks, CRCs, ordering ----

    /// <summary>What the chunks hold besides the header: the inflated, unfiltered rows, the palette and the transparency.</summary>
    private sealed record Decoded(byte[] Raw, byte[]? Palette, byte[]? Transparency);

    private static Decoded DecodeCore(ReadOnlySpan<byte> png, out PngHeader header)
    {
        if (png.Length < Signature.Length || !png[..Signature.Length].SequenceEqual(Signature))
            throw new InvalidImageException(
                $"Not a PNG: a PNG starts with the 8 bytes 89 50 4E 47 0D 0A 1A 0A; found {Describe(png[..Math.Min(8, png.Length)])}.");

        header = default;
        bool haveHeader = false, haveEnd = false, seenIdat = false, idatDone = false;
        byte[]? palette = null, transparency = null;
        using var idat = new MemoryStream();
        int pos = Signature.Length;
        while (pos < png.Length && !haveEnd)
        {
            if (png.Length - pos < 12)
                throw new InvalidImageException(
                    $"The PNG is truncated: a chunk at byte {pos} needs at least 12 bytes (length, type, CRC); only {png.Length - pos} remain.");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png[pos..]);
            var typeBytes = png.Slice(pos + 4, 4);
            string type = ChunkType(typeBytes, pos);
            if (length > int.MaxValue || length > png.Length - pos - 12)
                throw new InvalidImageException(
                    $"The PNG is truncated: chunk '{type}' at byte {pos} declares {length} data bytes but only {Math.Max(0, png.Length - pos - 12)} remain.");
            var data = png.Slice(pos + 8, (int)length);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(png[(pos + 8 + (int)length)..]);
            uint computed = PngCrc32.Compute(data, PngCrc32.Compute(typeBytes));
            if (stored != computed)
                throw new InvalidImageException(
                    $"The PNG is corrupt: chunk '{type}' at byte {pos} has CRC 0x{stored:X8} but its contents give 0x{computed:X8}.");
            if (!haveHeader && type != "IHDR")
                throw new InvalidImageException($"The PNG's first chunk must be 'IHDR'; found '{type}'.");
            if (seenIdat && type != "IDAT")
                idatDone = true;

            switch (type)
            {
                case "IHDR":
                    if (haveHeader)
                        throw new InvalidImageException("The PNG has a second 'IHDR' chunk; a PNG has exactly one.");
                    header = ParseHeader(data);
                    haveHeader = true;
                    break;
                case "PLTE":
                    palette = ParsePalette(data, header, palette, seenIdat);
                    break;
                case "tRNS":
                    transparency = ParseTransparency(data, header, palette, transparency, seenIdat);
                    break;
                case "IDAT":
                    if (idatDone)
                        throw new InvalidImageException(
                            $"The PNG's 'IDAT' chunks are not consecutive (another one at byte {pos}); the file is malformed.");
                    idat.Write(data);
                    seenIdat = true;
                    break;
                case "IEND":
                    if (length != 0)
                        throw new InvalidImageException($"The PNG's 'IEND' chunk must be empty; it holds {length} bytes.");
                    haveEnd = true;
                    break;
                default:
                    if ((typeBytes[0] & 0x20) == 0)
                        throw new InvalidImageException(
                            $"The PNG has an unknown critical chunk '{type}' that this decoder cannot interpret.");
                    break; // ancillary chunks (text, gamma, time, ...) are skipped
            }
            pos += 12 + (int)length;
        }

        if (!seenIdat)
            throw new InvalidImageException(
                haveEnd ? "The PNG has no 'IDAT' chunk, so it holds no image data." : "The PNG is truncated: it ends before any 'IDAT' image data.");
        if (!haveEnd)
            throw new InvalidImageException("The PNG is truncated: it ends without the 'IEND' chunk.");
        if (header.ColorType == PngColorType.Palette && palette is null)
            throw new InvalidImageException("The PNG is a palette image (colour type 3) but has no 'PLTE' chunk.");

        var raw = Inflate(idat.GetBuffer(), (int)idat.Length, header.InflatedSize());
        Unfilter(raw, header);
        return new Decoded(raw, palette, transparency);
    }

    private static string ChunkType(ReadOnlySpan<byte> bytes, int pos)
    {
        foreach (byte b in bytes)
            if (!(b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z'))
                throw new InvalidImageException(
                    $"The PNG is corrupt: the chunk at byte {pos} has type bytes {Describe(bytes)}, which are not four ASCII letters.");
        return Encoding.ASCII.GetString(bytes);
    }

    private static PngHeader ParseHeader(ReadOnlySpan<byte> data)
    {
        if (data.Length != 13)
            throw new InvalidImageException($"The PNG's 'IHDR' chunk must hold 13 bytes; it holds {data.Length}.");
        uint width = BinaryPrimitives.ReadUInt32BigEndian(data);
        uint height = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        int depth = data[8], colorType = data[9];
        if (width == 0 || height == 0)
            throw new InvalidImageException($"The PNG declares an empty image ({width} x {height}); width and height must be at least 1.");
        if (width > MaxDimension || height > MaxDimension)
            throw new InvalidImageException(
                $"The PNG is {width} x {height} pixels; images over {MaxDimension} pixels a side are refused. Scale it down first.");
        bool depthOk = colorType switch
        {
            0 => depth is 1 or 2 or 4 or 8 or 16,
            3 => depth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => depth is 8 or 16,
            _ => throw new InvalidImageException($"The PNG has colour type {colorType}; PNG defines 0, 2, 3, 4 and 6."),
        };
        if (!depthOk)
            throw new InvalidImageException($"The PNG has bit depth {depth}, which colour type {colorType} does not allow.");
        if (data[10] != 0)
            throw new InvalidImageException($"The PNG has compression method {data[10]}; PNG defines only 0 (deflate).");
        if (data[11] != 0)
            throw new InvalidImageException($"The PNG has filter method {data[11]}; PNG defines only 0.");
        if (data[12] > 1)
            throw new InvalidImageException($"The PNG has interlace method {data[12]}; PNG defines 0 (none) and 1 (Adam7).");
        return new PngHeader((int)width, (int)height, depth, (PngColorType)colorType, data[12] == 1);
    }

    private static byte[] ParsePalette(ReadOnlySpan<byte> data, PngHeader header, byte[]? existing, bool afterData)
    {
        if (existing is not null)
            throw new InvalidImageException("The PNG has a second 'PLTE' chunk; at most one is allowed.");
        if (afterData)
            throw new InvalidImageException("The PNG's 'PLTE' chunk comes after the image data; it must come before 'IDAT'.");
        if (header.ColorType is PngColorType.Gray or PngColorType.GrayAlpha)
            throw new InvalidImageException($"The PNG has a 'PLTE' chunk, which a gray image (colour type {(int)header.ColorType}) must not have.");
        int entries = data.Length / 3;
        if (data.Length % 3 != 0 || entries < 1 || entries > 256)
            throw new InvalidImageException($"The PNG's 'PLTE' chunk holds {data.Length} bytes; it must hold 1 to 256 RGB entries (3 bytes each).");
        if (header.ColorType == PngColorType.Palette && entries > 1 << header.BitDepth)
            throw new InvalidImageException(
                $"The PNG's palette has {entries} entries, more than a {header.BitDepth}-bit index can address ({1 << header.BitDepth}).");
        return data.ToArray();
    }

    private static byte[] ParseTransparency(ReadOnlySpan<byte> data, PngHeader header, byte[]? palette, byte[]? existing, bool afterData)
    {
        if (existing is not null)
            throw new InvalidImageException("The PNG has a second 'tRNS' chunk; at most one is allowed.");
        if (afterData)
            throw new InvalidImageException("The PNG's 'tRNS' chunk comes after the image data; it must come before 'IDAT'.");
        switch (header.ColorType)
        {
            case PngColorType.Gray when data.Length != 2:
            case PngColorType.Rgb when data.Length != 6:
                throw new InvalidImageException(
                    $"The PNG's 'tRNS' chunk holds {data.Length} bytes; colour type {(int)header.ColorType} needs {(header.ColorType == PngColorType.Gray ? 2 : 6)}.");
            case PngColorType.Palette when palette is null:
                throw new InvalidImageException("The PNG's 'tRNS' chunk comes before 'PLTE'; it must follow it.");
            case PngColorType.Palette when data.Length > palette.Length / 3:
                throw new InvalidImageException(
                    $"The PNG's 'tRNS' chunk has {data.Length} alpha values for a palette of {palette.Length / 3} entries.");
            case PngColorType.GrayAlpha or PngColorType.Rgba:
                throw new InvalidImageException(
                    $"The PNG has a 'tRNS' chunk, which colour type {(int)header.ColorType} (with an alpha channel) must not have.");
        }
        return data.ToArray();
    }

    // ---- image data: inflate, unfilter, expand ----

    /// <summary>Inflates exactly <paramref name="expected"/> bytes and refuses data that is shorter or longer.</summary>
    private static byte[] Inflate(byte[] compressed, int length, long expected)
    {
        var raw = new byte[expected]; // at most 134 MB: bounded by MaxDimension through the header checks
        try
        {
            using var source = new MemoryStream(compressed, 0, length, writable: false);
            using var zlib = new ZLibStream(source, CompressionMode.Decompress);
            int got = zlib.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
            if (got < raw.Length)
                throw new InvalidImageException(
                    $"The PNG's image data inflates to {got} bytes but its header needs {expected}; the file is truncated or corrupt.");
            Span<byte> probe = stackalloc byte[1];
            if (zlib.Read(probe) != 0)
                throw new InvalidImageException(
                    $"The PNG's image data inflates to more than the {expected} bytes its header needs (a decompression bomb or a corrupt file); refused.");
        }
        catch (InvalidDataException e)
        {
            throw new InvalidImageException($"The PNG's compressed image data is corrupt: {e.Message}", e);
        }
        return raw;
    }

    /// <summary>Undoes the per-row filters in place, pass by pass (PNG spec section 9).</summary>
    private static void Unfilter(byte[] raw, PngHeader header)
    {
        int stride = header.FilterStride;
        int at = 0;
        foreach (var (pass, index) in Adam7.PassesFor(header.Interlaced).Select((p, i) => (p, i)))
        {
            var (w, h) = pass.Size(header.Width, header.Height);
            if (w == 0 || h == 0)
                continue;
            int rowBytes = header.RowBytes(w);
            Span<byte> prior = default;
            for (int y = 0; y < h; y++)
            {
                byte filter = raw[at];
                var row = raw.AsSpan(at + 1, rowBytes);
                switch (filter)
                {
                    case 0:
                        break;
                    case 1: // Sub: left
                        for (int i = stride; i < rowBytes; i++)
                            row[i] += row[i - stride];
                        break;
                    case 2: // Up: above
                        if (!prior.IsEmpty)
                            for (int i = 0; i < rowBytes; i++)
                                row[i] += prior[i];
                        break;
                    case 3: // Average: floor((left + above) / 2)
                        for (int i = 0; i < rowBytes; i++)
                        {
                            int left = i >= stride ? row[i - stride] : 0;
                            int up = prior.IsEmpty ? 0 : prior[i];
                            row[i] += (byte)((left + up) >> 1);
                        }
                        break;
                    case 4: // Paeth: whichever of left, above, upper-left is closest to left + above - upper-left
                        for (int i = 0; i < rowBytes; i++)
                        {
                            int left = i >= stride ? row[i - stride] : 0;
                            int up = prior.IsEmpty ? 0 : prior[i];
                            int upLeft = i >= stride && !prior.IsEmpty ? prior[i - stride] : 0;
                            row[i] += (byte)Paeth(left, up, upLeft);
                        }
                        break;
                    default:
                        throw new InvalidImageException(
                            $"The PNG's row {y}{(header.Interlaced ? $" of interlace pass {index + 1}" : "")} has filter type {filter}; PNG defines 0 to 4.");
                }
                prior = row;
                at += 1 + rowBytes;
            }
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    /// <summary>Receives <paramref name="count"/> pixels of image row <paramref name="y"/> at x = x0, x0 + dx, ...</summary>
    private delegate void RowSink(int y, int x0, int dx, ReadOnlySpan<ushort> rgba, int count);

    /// <summary>Turns each unfiltered row into 16-bit RGBA samples and hands it to <paramref name="sink"/>.</summary>
    private static void Expand(Decoded decoded, PngHeader header, RowSink sink)
    {
        var rgba = new ushort[header.Width * 4]; // rgba: (Width, 4), reused for every row
        int at = 0;
        foreach (var pass in Adam7.PassesFor(header.Interlaced))
        {
            var (w, h) = pass.Size(header.Width, header.Height);
            if (w == 0 || h == 0)
                continue;
            int rowBytes = header.RowBytes(w);
            for (int y = 0; y < h; y++)
            {
                ExpandRow(decoded.Raw.AsSpan(at + 1, rowBytes), w, header, decoded, rgba);
                sink(pass.Y0 + y * pass.Dy, pass.X0, pass.Dx, rgba, w);
                at += 1 + rowBytes;
            }
        }
    }

    private static void ExpandRow(ReadOnlySpan<byte> row, int count, PngHeader header, Decoded decoded, Span<ushort> rgba)
    {
        int depth = header.BitDepth;
        int mask = depth == 16 ? 0xFFFF : (1 << depth) - 1; // tRNS keys use only the low `depth` bits
        var trns = decoded.Transparency;
        switch (header.ColorType)
        {
            case PngColorType.Gray:
            {
                int key = trns is null ? -1 : BinaryPrimitives.ReadUInt16BigEndian(trns) & mask;
                for (int i = 0; i < count; i++)
                {
                    int v = Sample(row, i, depth);
                    ushort g = Scale(v, depth);
                    Set(rgba, i, g, g, g, v == key ? (ushort)0 : ushort.MaxValue);
                }
                break;
            }
            case PngColorType.Rgb:
            {
                int kr = -1, kg = -1, kb = -1;
                if (trns is not null)
                {
                    kr = BinaryPrimitives.ReadUInt16BigEndian(trns) & mask;
                    kg = BinaryPrimitives.ReadUInt16BigEndian(trns.AsSpan(2)) & mask;
                    kb = BinaryPrimitives.ReadUInt16BigEndian(trns.AsSpan(4)) & mask;
                }
                for (int i = 0; i < count; i++)
                {
                    int r = Sample(row, 3 * i, depth), g = Sample(row, 3 * i + 1, depth), b = Sample(row, 3 * i + 2, depth);
                    bool transparent = r == kr && g == kg && b == kb;
                    Set(rgba, i, Scale(r, depth), Scale(g, depth), Scale(b, depth), transparent ? (ushort)0 : ushort.MaxValue);
                }
                break;
            }
            case PngColorType.Palette:
            {
                var palette = decoded.Palette!;
                int entries = palette.Length / 3;
                for (int i = 0; i < count; i++)
                {
                    int index = Sample(row, i, depth);
                    if (index >= entries)
                        throw new InvalidImageException(
                            $"The PNG uses palette index {index}, but its palette has only {entries} entries.");
                    ushort alpha = trns is not null && index < trns.Length ? (ushort)(trns[index] * 257) : ushort.MaxValue;
                    Set(rgba, i, (ushort)(palette[3 * index] * 257), (ushort)(palette[3 * index + 1] * 257),
                        (ushort)(palette[3 * index + 2] * 257), alpha);
                }
                break;
            }
            case PngColorType.GrayAlpha:
                for (int i = 0; i < count; i++)
                {
                    ushort g = Scale(Sample(row, 2 * i, depth), depth);
                    Set(rgba, i, g, g, g, Scale(Sample(row, 2 * i + 1, depth), depth));
                }
                break;
            case PngColorType.Rgba:
                for (int i = 0; i < count; i++)
                    Set(rgba, i, Scale(Sample(row, 4 * i, depth), depth), Scale(Sample(row, 4 * i + 1, depth), depth),
                        Scale(Sample(row, 4 * i + 2, depth), depth), Scale(Sample(row, 4 * i + 3, depth), depth));
                break;
        }
    }

    /// <summary>The <paramref name="index"/>-th sample of a row, at its own bit depth (most significant bits first).</summary>
    private static int Sample(ReadOnlySpan<byte> row, int index, int depth) => depth switch
    {
        16 => (row[2 * index] << 8) | row[2 * index + 1],
        8 => row[index],
        _ => (row[index * depth >> 3] >> (8 - depth - (index * depth & 7))) & ((1 << depth) - 1),
    };

    /// <summary>A <paramref name="depth"/>-bit sample scaled to 16 bits (0 stays 0, the maximum becomes 65535).</summary>
    private static ushort Scale(int value, int depth) =>
        depth == 16 ? (ushort)value : (ushort)(value * 65535 / ((1 << depth) - 1));

    private static void Set(Span<ushort> rgba, int i, ushort r, ushort g, ushort b, ushort a)
    {
        rgba[4 * i] = r;
        rgba[4 * i + 1] = g;
        rgba[4 * i + 2] = b;
        rgba[4 * i + 3] = a;
    }

    private static string Describe(ReadOnlySpan<byte> bytes) =>
        bytes.IsEmpty ? "nothing" : string.Join(" ", bytes.ToArray().Select(b => b.ToString("X2")));
}

using System.Buffers.Binary;
using System.IO.Compression;

namespace MlNetDigits;

/// <summary>
/// Reads IDX files (the MNIST format: a big-endian header <c>00 00 type ndim</c>, <c>ndim</c> big-endian UInt32 sizes,
/// then the items), raw or gzipped; gzip is recognised by its magic bytes 1f 8b, not by the file name.
/// Every header is checked before anything is sized from it: a raw file against its length, a gzip stream by reading
/// in bounded chunks that grow only as data actually arrives.
/// </summary>
public static class IdxReader
{
    /// <summary>The IDX element type code for unsigned bytes, the only one images and labels may use.</summary>
    public const byte UnsignedByteType = 0x08;

    /// <summary>The first chunk read from a gzip stream; later chunks double up to the size the header announces.</summary>
    internal const int InitialChunkBytes = 1 << 20;

    /// <summary>Reads an image file: 3 dimensions (count, rows, columns) of unsigned bytes.</summary>
    /// <exception cref="InvalidDataFileException">The file is not a valid IDX image file.</exception>
    public static IdxImages ReadImages(string path)
    {
        var (dims, data) = Read(path, expectedDimensions: 3, "an image file (idx3: count, rows, columns)");
        if ((long)dims[1] * dims[2] > int.MaxValue)
            throw new InvalidDataFileException(path, $"images of {dims[1]} x {dims[2]} pixels are too large to read.");
        return new IdxImages((int)dims[0], (int)dims[1], (int)dims[2], data);
    }

    /// <summary>Reads a label file: 1 dimension (count) of unsigned bytes.</summary>
    /// <exception cref="InvalidDataFileException">The file is not a valid IDX label file.</exception>
    public static byte[] ReadLabels(string path) =>
        Read(path, expectedDimensions: 1, "a label file (idx1: count)").Data;

    /// <summary>Reads an image file and its label file and checks that they hold the same number of items.</summary>
    /// <exception cref="InvalidDataFileException">Either file is invalid, or their counts differ.</exception>
    public static (IdxImages Images, byte[] Labels) ReadPair(string imagesPath, string labelsPath)
    {
        var images = ReadImages(imagesPath);
        var labels = ReadLabels(labelsPath);
        if (labels.Length != images.Count)
            throw new InvalidDataFileException(labelsPath,
                $"holds {labels.Length:N0} labels but the image file {imagesPath} holds {images.Count:N0} images; " +
                "the two files must come from the same split (e.g. train-images with train-labels).");
        return (images, labels);
    }

    /// <summary>True when the file starts with the gzip magic bytes 1f 8b.</summary>
    public static bool IsGzip(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        return file.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    private static (uint[] Dims, byte[] Data) Read(string path, int expectedDimensions, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: file not found; expected {what}.", path);
        var gzip = IsGzip(path);
        using var file = File.OpenRead(path);
        try
        {
            if (!gzip)
                return ReadRaw(file, path, expectedDimensions, what);
            using var unzip = new GZipStream(file, CompressionMode.Decompress);
            return ReadGzip(unzip, path, expectedDimensions, what);
        }
        catch (InvalidDataException e)
        {
            // GZipStream reports corrupt compressed data this way.
            throw new InvalidDataFileException(path, $"the gzip stream is corrupt ({e.Message}); expected {what}. Fetch the file again.", e);
        }
    }

    private static (uint[] Dims, byte[] Data) ReadRaw(FileStream file, string path, int expectedDimensions, string what)
    {
        var dims = ReadHeader(file, path, expectedDimensions, what);
        long headerBytes = 4 + 4L * dims.Length;
        var dataBytes = DataBytes(dims);
        var expected = dataBytes > long.MaxValue - headerBytes ? long.MaxValue : headerBytes + dataBytes;
        if (file.Length != expected)
            throw LengthMismatch(path, dims, expected, file.Length, exact: true);
        CheckArrayLimit(path, dims, dataBytes);
        var data = GC.AllocateUninitializedArray<byte>((int)dataBytes);
        file.ReadExactly(data);
        return (dims, data);
    }

    private static (uint[] Dims, byte[] Data) ReadGzip(Stream stream, string path, int expectedDimensions, string what)
    {
        var dims = ReadHeader(stream, path, expectedDimensions, what);
        long headerBytes = 4 + 4L * dims.Length;
        var dataBytes = DataBytes(dims);
        CheckArrayLimit(path, dims, dataBytes);
        var expected = (int)dataBytes;

        // Grow the buffer only as data arrives, so a forged header costs at most twice what the stream really holds.
        var data = new byte[Math.Min(expected, InitialChunkBytes)];
        var filled = 0;
        while (filled < expected)
        {
            if (filled == data.Length)
                Array.Resize(ref data, (int)Math.Min(expected, 2L * data.Length));
            var n = stream.Read(data, filled, data.Length - filled);
            if (n == 0)
                throw LengthMismatch(path, dims, headerBytes + expected, headerBytes + filled, exact: true, decompressed: true);
            filled += n;
        }

        // Anything after the announced items is an error too; count it (up to a bound) to say how much there is.
        var scratch = new byte[64 * 1024];
        long trailing = 0;
        const long countLimit = 64L << 20;
        int read;
        while (trailing < countLimit && (read = stream.Read(scratch)) > 0)
            trailing += read;
        if (trailing > 0)
            throw LengthMismatch(path, dims, headerBytes + expected, headerBytes + expected + trailing,
                exact: trailing < countLimit, decompressed: true);
        return (dims, data);
    }

    private static uint[] ReadHeader(Stream stream, string path, int expectedDimensions, string what)
    {
        Span<byte> magic = stackalloc byte[4];
        var got = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        if (got < 4)
            throw new InvalidDataFileException(path, $"the file holds {got} bytes, too few for an IDX header (4 bytes of magic number); expected {what}.");
        if (magic[0] != 0 || magic[1] != 0)
            throw new InvalidDataFileException(path,
                $"not an IDX file: the magic number starts {magic[0]:x2} {magic[1]:x2}, expected 00 00 (then the element type and the number of dimensions). " +
                $"Expected {what}; is this the right file?");
        if (magic[2] != UnsignedByteType)
            throw new InvalidDataFileException(path,
                $"the element type is 0x{magic[2]:x2} ({TypeName(magic[2])}), but only 0x08 (unsigned byte) is supported for images and labels.");
        if (magic[3] != expectedDimensions)
            throw new InvalidDataFileException(path,
                $"the header declares {magic[3]} dimension(s), expected {expectedDimensions} for {what}. " +
                (magic[3] == 1 ? "This looks like a label file." : magic[3] == 3 ? "This looks like an image file." : "Is this the right file?"));

        Span<byte> sizes = stackalloc byte[4 * 3];
        sizes = sizes[..(4 * magic[3])];
        got = stream.ReadAtLeast(sizes, sizes.Length, throwOnEndOfStream: false);
        if (got < sizes.Length)
            throw new InvalidDataFileException(path,
                $"truncated header: {magic[3]} dimension sizes need {sizes.Length} bytes after the magic number, found {got}.");
        var dims = new uint[magic[3]];
        for (int i = 0; i < dims.Length; i++)
        {
            dims[i] = BinaryPrimitives.ReadUInt32BigEndian(sizes[(4 * i)..]);
            if (dims[i] == 0)
                throw new InvalidDataFileException(path, $"dimension {i} has size 0 ({DescribeDims(dims)}); every size must be positive.");
        }
        return dims;
    }

    /// <summary>The byte count the header announces (each size is at most 2^32, so a few of them cannot overflow long until checked).</summary>
    private static long DataBytes(uint[] dims)
    {
        // Saturate instead of overflowing: anything above long.MaxValue is simply "too large".
        long bytes = 1;
        foreach (var d in dims)
            bytes = bytes > long.MaxValue / d ? long.MaxValue : bytes * d;
        return bytes;
    }

    private static void CheckArrayLimit(string path, uint[] dims, long dataBytes)
    {
        if (dataBytes > Array.MaxLength || dims[0] > int.MaxValue)
            throw new InvalidDataFileException(path,
                $"the header announces {DescribeDims(dims)} = {dataBytes:N0} bytes of data, more than the {Array.MaxLength:N0} bytes one file may hold here. " +
                "The header is probably corrupt; fetch the file again.");
    }

    private static InvalidDataFileException LengthMismatch(string path, uint[] dims, long expected, long actual, bool exact, bool decompressed = false)
    {
        var kind = decompressed ? "decompressed bytes" : "bytes";
        var actualText = exact ? $"{actual:N0}" : $"more than {actual:N0}";
        var problem = actual < expected
            ? "The file is truncated (an interrupted download?); fetch it again."
            : "There are extra bytes after the last item; the header or the file is wrong.";
        return new InvalidDataFileException(path,
            $"the header announces {DescribeDims(dims)} items, so the file should hold {expected:N0} {kind}, but it holds {actualText}. {problem}");
    }

    private static string DescribeDims(uint[] dims) => string.Join(" x ", dims.Select(d => d.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)));

    private static string TypeName(byte code) => code switch
    {
        0x08 => "unsigned byte",
        0x09 => "signed byte",
        0x0B => "Int16",
        0x0C => "Int32",
        0x0D => "Single",
        0x0E => "Double",
        _ => "not an IDX type",
    };
}

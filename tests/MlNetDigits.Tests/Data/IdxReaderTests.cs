
namespace MlNetDigits.Tests;

public sealed class IdxReaderTests : IDisposable
{
    private readonly IdxTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadImages_ReturnsHeaderAndPixels(bool gzip)
    {
        var path = _files.Write("images", IdxTestFiles.Images(5, 3, 4), gzip);

        var images = IdxReader.ReadImages(path);

        Assert.Equal((5, 3, 4), (images.Count, images.Rows, images.Columns));
        Assert.Equal(60, images.Pixels.Length);
        Assert.Equal((byte)((2 * 7 + 5) % 256), images.GetImage(2)[5]);
    }

    [Fact]
    public void ReadImages_DetectsGzipByMagicBytesNotByName()
    {
        var gzNamedRaw = _files.Write("raw.gz", IdxTestFiles.Images(2, 2, 2));
        var rawNamedGz = _files.Write("zipped-without-extension", IdxTestFiles.Images(2, 2, 2), gzip: true);

        Assert.Equal(8, IdxReader.ReadImages(gzNamedRaw).Pixels.Length);
        Assert.Equal(8, IdxReader.ReadImages(rawNamedGz).Pixels.Length);
        Assert.False(IdxReader.IsGzip(gzNamedRaw));
        Assert.True(IdxReader.IsGzip(rawNamedGz));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadLabels_ReturnsLabels(bool gzip)
    {
        var path = _files.Write("labels", IdxTestFiles.Labels(13), gzip);

        var labels = IdxReader.ReadLabels(path);

        Assert.Equal(13, labels.Length);
        Assert.Equal(2, labels[12]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadImages_ThrowsGivenTruncatedFile(bool gzip)
    {
        var bytes = IdxTestFiles.Images(4, 2, 2);
        var path = _files.Write("truncated", bytes[..^3], gzip);

        var e = Assert.Throws<InvalidDataFileException>(() => IdxReader.ReadImages(path));

        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
        Assert.Contains($"should hold {bytes.Length}", e.Message);
        Assert.Contains($"holds {bytes.Length - 3}", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadImages_ThrowsGivenTrailingBytes(bool gzip)
    {
        var bytes = IdxTestFiles.Images(4, 2, 2);
        var path = _files.Write("trailing", [.. bytes, 1, 2], gzip);

        var e = Assert.Throws<InvalidDataFileException>(() => IdxReader.ReadImages(path));

        Assert.Contains($"should hold {bytes.Length}", e.Message);
        Assert.Contains($"holds {bytes.Length + 2}", e.Message);
        Assert.Contains("extra bytes", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadImages_ThrowsGivenWrongMagic(bool gzip)
    {
        var bytes = IdxTestFiles.Images(1, 2, 2);
        bytes[0] = 0x50; // e.g. a PNG or text file
        var path = _files.Write("magic", bytes, gzip);

        var e = Assert.Throws<InvalidDataFileException>(() => IdxReader.ReadImages(path));

        Assert.Contains("not an IDX file", e.Message);
        Assert.Contains("50 00", e.Message);
    }

    [Theory]
    [InlineData(0x09, "signed byte")]
    [InlineData(0x0D, "Single")]
    [InlineData(0x0E, "Double")]
    [InlineData(0x42, "not an IDX type")]
    public void ReadImages_ThrowsGivenUnsupportedElementType(byte type, string typeName)
    {
        var bytes = IdxTestFiles.Images(1, 2, 2);
        bytes[2] = type;
        var path = _files.Write("type", bytes);

        var e = Assert.Throws<InvalidDataFileException>(() => IdxReader.ReadImages(path));

        Assert.Contains(typeName, e.Message);
        Assert.Contains("only 0x08 (unsigned byte)", e.Message);
    }

    [Fact]
    public void ReadImages_ThrowsGivenLabelFile()
    {
        var path = _files.Write("labels", IdxTestFiles.Labels(4));

        var e = Assert.Throws<InvalidDataFileException>(() => IdxReader.ReadImages(path));

        Assert.Contains("declares 1 dimension(s), expected 3", e.Message);
        Assert.Contains("looks like a label file", e.Message);
    }

    [Fact]
    public void ReadLabels_ThrowsGivenImageFile()
    {
        var path = _files.Write("images", IdxTestFiles.Images(1, 2, 2));

        var e = Assert.Throws<InvalidDataFileException>(() => IdxReader.ReadLabels(path));

        Assert.Contains("declares 3 dimension(s), expected 1", e.Message);
    }

    [Fact]
    public void ReadImages_ThrowsGivenZeroDimension()
    {
        var path = _files.Write("zero", IdxTestFiles.Header(0x08, 3, 0, 28));

        var e = Assert.Throws<InvalidDataFileException>(() => IdxReader.ReadImages(path));

        Assert.Contains("dimension 1 has size 0", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(9)]
    public void ReadImages_ThrowsGivenTruncatedHeader(int length)
    {
        var path = _files.Write("header", IdxTestFiles.Images(1, 2, 2)[..length]);

        var e = Assert.Throws<InvalidDataFileException>(() => IdxReader.ReadImages(path));

        Assert.Contains(length < 4 ? "too few for an IDX header" : "truncated header", e.Message);
    }

    [Fact]
    public void ReadImages_ThrowsGivenCorruptGzipStream()
    {
        var path = _files.Write("corrupt", [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3]);

        var e = Assert.Throws<InvalidDataFileException>(() => IdxReader.ReadImages(path));

        Assert.Contains("gzip stream is corrupt", e.Message);
    }

    [Theory]
    [InlineData(false, 0x8000_0000u)]
    [InlineData(true, 0x8000_0000u)]
    [InlineData(false, 1_000_000u)]
    [InlineData(true, 1_000_000u)]
    public void ReadImages_FailsFastWithoutHugeAllocationGivenForgedCount(bool gzip, uint forgedCount)
    {
        // A forged header claiming far more images than the file holds (2^31 x 28 x 28 = 1.7 TB, or 784 MB) and 100 real images.
        var real = IdxTestFiles.Images(100, 28, 28);
        var forged = IdxTestFiles.Header(0x08, forgedCount, 28, 28);
        forged.CopyTo(real, 0);
        var path = _files.Write("forged", real, gzip);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataFileException>(() => IdxReader.ReadImages(path));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 8L << 20, $"reading the forged file allocated {allocated:N0} bytes");
        Assert.Contains(forgedCount.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadImages_ThrowsGivenLargestPossibleDimensions(bool gzip)
    {
        var path = _files.Write("max", [.. IdxTestFiles.Header(0x08, uint.MaxValue, uint.MaxValue, uint.MaxValue), 1, 2, 3], gzip);

        var e = Assert.Throws<InvalidDataFileException>(() => IdxReader.ReadImages(path));

        Assert.Contains("4,294,967,295 x 4,294,967,295 x 4,294,967,295", e.Message);
        Assert.DoesNotContain("-", e.Message.Replace(path, "", StringComparison.Ordinal));
    }

    [Fact]
    public void ReadPair_ThrowsGivenCountMismatch()
    {
        var images = _files.Write("images", IdxTestFiles.Images(5, 2, 2));
        var labels = _files.Write("labels", IdxTestFiles.Labels(4));

        var e = Assert.Throws<InvalidDataFileException>(() => IdxReader.ReadPair(images, labels));

        Assert.Equal(labels, e.FilePath);
        Assert.Contains("4 labels", e.Message);
        Assert.Contains("5 images", e.Message);
    }

    [Fact]
    public void ReadImages_ThrowsFileNotFoundGivenMissingFile()
    {
        var path = Path.Combine(_files.Folder, "absent");

        var e = Assert.Throws<FileNotFoundException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, e.Message);
    }
}

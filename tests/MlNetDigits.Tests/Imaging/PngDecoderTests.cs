using System.Buffers.Binary;
using MlNetDigits.Imaging;
using static MlNetDigits.Tests.Imaging.PngBuilder;

namespace MlNetDigits.Tests.Imaging;

public class PngDecoderTests
{
    private static readonly string FixtureFolder = Path.Combine(AppContext.BaseDirectory, "Imaging", "Fixtures");

    /// <summary>Every fixture written by make_png_fixtures.py (colour type, bit depth, tRNS, interlace).</summary>
    public static TheoryData<string> Fixtures() => new(FixtureNames());

    private static string[] FixtureNames() =>
        Directory.GetFiles(FixtureFolder, "*.png").Order().Select(f => Path.GetFileNameWithoutExtension(f)!).ToArray();

    [Fact]
    public void Fixtures_CoverEveryColourTypeBitDepthAndInterlace()
    {
        var names = FixtureNames().ToHashSet();
        string[] combos = ["ct0_d1", "ct0_d2", "ct0_d4", "ct0_d8", "ct0_d16", "ct2_d8", "ct2_d16", "ct3_d1", "ct3_d2",
            "ct3_d4", "ct3_d8", "ct4_d8", "ct4_d16", "ct6_d8", "ct6_d16"];
        foreach (var combo in combos)
        {
            Assert.Contains(combo, names);
            Assert.Contains(combo + "_adam7", names);
        }
        Assert.Contains("ct3_d8_trns", names);
        Assert.Contains("ct2_d16_trns_adam7", names);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void DecodeRgba16_MatchesFixtureSamplesExactly(string name)
    {
        var png = File.ReadAllBytes(Path.Combine(FixtureFolder, name + ".png"));
        var expectedBytes = File.ReadAllBytes(Path.Combine(FixtureFolder, name + ".rgba16"));

        var rgba = PngDecoder.DecodeRgba16(png, out int width, out int height);

        Assert.Equal(expectedBytes.Length / 2, rgba.Length);
        Assert.Equal(rgba.Length, width * height * 4);
        for (int i = 0; i < rgba.Length; i++)
        {
            ushort expected = BinaryPrimitives.ReadUInt16BigEndian(expectedBytes.AsSpan(2 * i));
            if (expected != rgba[i])
                Assert.Fail($"{name}: pixel ({i / 4 % width}, {i / 4 / width}) channel {i % 4}: expected {expected}, decoded {rgba[i]}.");
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Decode_GivesLuminanceCompositedOverWhite(string name)
    {
        var png = File.ReadAllBytes(Path.Combine(FixtureFolder, name + ".png"));
        var expectedBytes = File.ReadAllBytes(Path.Combine(FixtureFolder, name + ".rgba16"));

        var image = PngDecoder.Decode(png);

        for (int p = 0; p < image.Pixels.Length; p++)
        {
            // Reference in double: BT.601 luminance of 0..255 samples, alpha over white.
            double r = BinaryPrimitives.ReadUInt16BigEndian(expectedBytes.AsSpan(8 * p)) / 257.0;
            double g = BinaryPrimitives.ReadUInt16BigEndian(expectedBytes.AsSpan(8 * p + 2)) / 257.0;
            double b = BinaryPrimitives.ReadUInt16BigEndian(expectedBytes.AsSpan(8 * p + 4)) / 257.0;
            double a = BinaryPrimitives.ReadUInt16BigEndian(expectedBytes.AsSpan(8 * p + 6)) / 65535.0;
            double gray = (0.299 * r + 0.587 * g + 0.114 * b) * a + 255 * (1 - a);
            Assert.InRange(image.Pixels[p], gray - 0.01, gray + 0.01);
        }
    }

    [Fact]
    public void Decode_KeepsEightBitGrayValuesExactly()
    {
        var png = Gray8(7, 5, (x, y) => (byte)(x * 37 + y * 11));

        var image = PngDecoder.Decode(png);

        Assert.Equal((7, 5), (image.Width, image.Height));
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 7; x++)
                Assert.Equal((byte)(x * 37 + y * 11), image[x, y]);
    }

    [Fact]
    public void Decode_TurnsTransparentBackgroundWhiteAndOpaqueInkBlack()
    {
        // A canvas drawing: transparent pixels (whatever their colour) and one opaque black stroke.
        var png = Rgba8(4, 1, (x, _) => x switch
        {
            0 => (0, 0, 0, 0),
            1 => (0, 0, 0, 255),
            2 => (0, 0, 0, 128),
            _ => (255, 0, 0, 255),
        });

        var image = PngDecoder.Decode(png);

        Assert.Equal(255f, image[0, 0]);
        Assert.Equal(0f, image[1, 0]);
        Assert.InRange(image[2, 0], 126.5f, 127.5f); // half-transparent black over white: 255 * (1 - 128/255)
        Assert.InRange(image[3, 0], 76.2f, 76.3f);   // pure red: 0.299 * 255
    }

    [Fact]
    public void Decode_MatchesGrayTransparencyKeyOnLowBitsOnly()
    {
        // 2-bit gray, tRNS key 0xFF02: the spec uses only the low 2 bits, so value 2 is transparent.
        var png = Png(Ihdr(4, 1, 2, 0), Chunk("tRNS", [0xFF, 0x02]), Idat([0, 0b00_01_10_11]), Iend());

        var image = PngDecoder.Decode(png);

        Assert.Equal([0f, 85f, 255f, 255f], image.Pixels);
        Assert.Equal(0, PngDecoder.DecodeRgba16(png, out _, out _)[2 * 4 + 3]);
    }

    [Fact]
    public void Decode_ReadsFromStream()
    {
        var png = Gray8(3, 2, (x, y) => (byte)(x + 10 * y));

        var image = PngDecoder.Decode(new MemoryStream(png));

        Assert.Equal([0f, 1f, 2f, 10f, 11f, 12f], image.Pixels);
    }

    // ---- malformed input: always InvalidImageException with a message that names the problem ----

    private static InvalidImageException AssertInvalid(byte[] png, string messagePart)
    {
        var error = Assert.Throws<InvalidImageException>(() => PngDecoder.Decode(png));
        Assert.Contains(messagePart, error.Message, StringComparison.OrdinalIgnoreCase);
        return error;
    }

    private static byte[] ValidPng() => Gray8(16, 12, (x, y) => (byte)(x * y));

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E })]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 0x4A, 0x46, 0x49, 0x46 })] // a JPEG
    public void Decode_ThrowsGivenBadSignature(byte[] data) => AssertInvalid(data, "Not a PNG");

    [Theory]
    [InlineData(10)]  // inside IHDR's length
    [InlineData(20)]  // inside IHDR's data
    [InlineData(33)]  // right after IHDR
    [InlineData(50)]  // inside IDAT
    public void Decode_ThrowsGivenTruncatedFile(int keep)
    {
        var png = ValidPng()[..keep];

        AssertInvalid(png, "truncated");
    }

    [Fact]
    public void Decode_ThrowsGivenFileWithoutIend()
    {
        var png = ValidPng();

        AssertInvalid(png[..^12], "without the 'IEND'");
    }

    [Fact]
    public void Decode_ThrowsGivenCrcMismatch()
    {
        var png = ValidPng();
        png[45] ^= 0x01; // a byte of the IDAT data

        var error = AssertInvalid(png, "CRC");
        Assert.Contains("'IDAT'", error.Message);
    }

    [Theory]
    [InlineData(4097u, 10u)]
    [InlineData(10u, 5000u)]
    [InlineData(2147483647u, 2147483647u)]
    [InlineData(4294967295u, 1u)]
    public void Decode_RefusesHugeDimensionsBeforeAllocating(uint width, uint height)
    {
        var png = Png(Ihdr(width, height, 16, 6), Idat(new byte[16]), Iend());
        long before = GC.GetAllocatedBytesForCurrentThread();

        var error = AssertInvalid(png, "4096");

        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1 << 20);
        Assert.Contains($"{width} x {height}", error.Message);
    }

    [Theory]
    [InlineData(0u, 5u)]
    [InlineData(5u, 0u)]
    public void Decode_ThrowsGivenEmptyDimensions(uint width, uint height) =>
        AssertInvalid(Png(Ihdr(width, height, 8, 0), Idat(new byte[1]), Iend()), "empty image");

    [Fact]
    public void Decode_RefusesDecompressionBombWithoutInflatingIt()
    {
        // 16 x 16 gray needs 16 * 17 = 272 inflated bytes; this IDAT inflates to 64 MB of zeros.
        var bomb = Png(Ihdr(16, 16, 8, 0), Idat(new byte[64 << 20]), Iend());
        Assert.True(bomb.Length < 200_000);
        long before = GC.GetAllocatedBytesForCurrentThread();

        AssertInvalid(bomb, "more than the 272 bytes");

        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 4 << 20);
    }

    [Fact]
    public void Decode_ThrowsGivenTooLittleImageData()
    {
        var png = Png(Ihdr(16, 16, 8, 0), Idat(new byte[100]), Iend());

        AssertInvalid(png, "inflates to 100 bytes but its header needs 272");
    }

    [Fact]
    public void Decode_ThrowsGivenCorruptDeflateData()
    {
        var png = Png(Ihdr(4, 4, 8, 0), Chunk("IDAT", [0x78, 0x9C, 0xFF, 0xFF, 0xFF, 0x00, 0x12, 0x34]), Iend());

        AssertInvalid(png, "compressed image data is corrupt");
    }

    [Fact]
    public void Decode_ThrowsGivenMissingIdat() =>
        AssertInvalid(Png(Ihdr(4, 4, 8, 0), Iend()), "no 'IDAT'");

    [Fact]
    public void Decode_ThrowsGivenBadFilterType()
    {
        var raw = new byte[4 * 5];
        raw[10] = 7; // row 2's filter byte

        AssertInvalid(Png(Ihdr(4, 4, 8, 0), Idat(raw), Iend()), "row 2 has filter type 7");
    }

    [Theory]
    [InlineData(2, 4, "bit depth 4")]
    [InlineData(3, 16, "bit depth 16")]
    [InlineData(6, 1, "bit depth 1")]
    [InlineData(0, 3, "bit depth 3")]
    [InlineData(5, 8, "colour type 5")]
    public void Decode_ThrowsGivenBadColourTypeOrBitDepth(byte colorType, byte depth, string message) =>
        AssertInvalid(Png(Ihdr(4, 4, depth, colorType), Idat(new byte[40]), Iend()), message);

    [Fact]
    public void Decode_ThrowsGivenUnknownCompressionFilterOrInterlaceMethod()
    {
        AssertInvalid(Png(Ihdr(4, 4, 8, 0, compression: 1), Idat(new byte[20]), Iend()), "compression method 1");
        AssertInvalid(Png(Ihdr(4, 4, 8, 0, filter: 1), Idat(new byte[20]), Iend()), "filter method 1");
        AssertInvalid(Png(Ihdr(4, 4, 8, 0, interlace: 2), Idat(new byte[20]), Iend()), "interlace method 2");
    }

    [Fact]
    public void Decode_ThrowsWhenFirstChunkIsNotIhdr() =>
        AssertInvalid(Png(Chunk("tEXt", "a\0b"u8), Ihdr(4, 4, 8, 0), Idat(new byte[20]), Iend()), "first chunk must be 'IHDR'");

    [Fact]
    public void Decode_ThrowsGivenNonConsecutiveIdat()
    {
        var compressed = Zlib(new byte[20]);
        var png = Png(Ihdr(4, 4, 8, 0), Chunk("IDAT", compressed[..5]), Chunk("tEXt", "a\0b"u8),
            Chunk("IDAT", compressed[5..]), Iend());

        AssertInvalid(png, "not consecutive");
    }

    [Fact]
    public void Decode_ThrowsGivenUnknownCriticalChunk() =>
        AssertInvalid(Png(Ihdr(4, 4, 8, 0), Chunk("ABCD", [1, 2]), Idat(new byte[20]), Iend()), "unknown critical chunk 'ABCD'");

    [Fact]
    public void Decode_SkipsUnknownAncillaryChunk()
    {
        var png = Png(Ihdr(2, 1, 8, 0), Chunk("abCD", [1, 2]), Idat([0, 7, 9]), Iend());

        Assert.Equal([7f, 9f], PngDecoder.Decode(png).Pixels);
    }

    [Fact]
    public void Decode_ThrowsGivenPaletteImageWithoutPalette() =>
        AssertInvalid(Png(Ihdr(2, 1, 8, 3), Idat([0, 0, 0]), Iend()), "no 'PLTE'");

    [Fact]
    public void Decode_ThrowsGivenPaletteIndexOutOfRange() =>
        AssertInvalid(Png(Ihdr(2, 1, 8, 3), Chunk("PLTE", [1, 2, 3, 4, 5, 6]), Idat([0, 1, 2]), Iend()), "palette index 2");

    [Fact]
    public void Decode_ThrowsGivenPaletteInGrayImage() =>
        AssertInvalid(Png(Ihdr(2, 1, 8, 0), Chunk("PLTE", [1, 2, 3]), Idat([0, 1, 2]), Iend()), "must not have");

    [Fact]
    public void Decode_ThrowsGivenPaletteAfterImageData() =>
        AssertInvalid(Png(Ihdr(2, 1, 8, 3), Idat([0, 0, 0]), Chunk("PLTE", [1, 2, 3]), Iend()), "after the image data");

    [Fact]
    public void Decode_ThrowsGivenTransparencyBeforePalette() =>
        AssertInvalid(Png(Ihdr(2, 1, 8, 3), Chunk("tRNS", [0]), Chunk("PLTE", [1, 2, 3]), Idat([0, 0, 0]), Iend()), "before 'PLTE'");

    [Fact]
    public void Decode_ThrowsGivenTransparencyChunkInRgbaImage() =>
        AssertInvalid(Png(Ihdr(1, 1, 8, 6), Chunk("tRNS", [0, 0, 0, 0, 0, 0]), Idat([0, 1, 2, 3, 4]), Iend()), "must not have");

    [Fact]
    public void Decode_ThrowsGivenBadIhdrLength() =>
        AssertInvalid(Png(Chunk("IHDR", new byte[12]), Idat([0]), Iend()), "13 bytes");

    [Fact]
    public void Decode_ThrowsOnlyInvalidImageExceptionGivenRandomCorruption()
    {
        // Seeded fuzzing: flip bytes (re-computing the CRCs so parsing goes deeper), truncate, splice.
        var valid = PngEncoder.EncodeGray(9, 7, Enumerable.Range(0, 63).Select(i => (byte)(i * 4)).ToArray());
        var interlaced = File.ReadAllBytes(Path.Combine(FixtureFolder, "ct3_d4_trns_adam7.png"));
        var random = new Random(6);
        int decoded = 0, refused = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            var png = (trial % 2 == 0 ? valid : interlaced).ToArray();
            int flips = 1 + random.Next(4);
            for (int f = 0; f < flips; f++)
                png[8 + random.Next(png.Length - 8)] = (byte)random.Next(256);
            if (trial % 3 != 0)
                foreach (var offset in ChunkOffsets(png))
                    FixCrc(png, offset);
            if (trial % 7 == 0)
                png = png[..random.Next(png.Length)];
            try
            {
                var image = PngDecoder.Decode(png);
                Assert.True(image.Width is > 0 and <= PngDecoder.MaxDimension);
                decoded++;
            }
            catch (InvalidImageException)
            {
                refused++;
            }
        }
        Assert.True(refused > 1000, $"only {refused} of 3000 corrupted files were refused");
        Assert.Equal(3000, decoded + refused);
    }
}

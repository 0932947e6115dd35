using System.Buffers.Binary;
using System.IO.Compression;

namespace MlNetDigits.Tests;

/// <summary>Reads the committed gzipped IDX sample (data/sample) directly, independent of the library's IDX loader.</summary>
internal static class MnistSample
{
    /// <summary>The first <paramref name="count"/> test images, each 784 bytes (row-major 28x28).</summary>
    public static byte[][] TestImages(int count)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "data", "sample", "t10k-images-idx3-ubyte.gz");
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        var header = new byte[16];
        gzip.ReadExactly(header);
        Assert.Equal(0x00000803u, BinaryPrimitives.ReadUInt32BigEndian(header));
        Assert.Equal(28u, BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(8)));
        int available = (int)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
        var images = new byte[Math.Min(count, available)][];
        for (int i = 0; i < images.Length; i++)
        {
            images[i] = new byte[784];
            gzip.ReadExactly(images[i]);
        }
        return images;
    }

    /// <summary>The first <paramref name="count"/> test labels (0..9).</summary>
    public static byte[] TestLabels(int count)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "data", "sample", "t10k-labels-idx1-ubyte.gz");
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        var header = new byte[8];
        gzip.ReadExactly(header);
        Assert.Equal(0x00000801u, BinaryPrimitives.ReadUInt32BigEndian(header));
        int available = (int)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
        var labels = new byte[Math.Min(count, available)];
        gzip.ReadExactly(labels);
        return labels;
    }
}

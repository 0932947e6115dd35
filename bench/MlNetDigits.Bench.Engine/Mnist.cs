using System.Buffers.Binary;
using MlNetDigits.Engine;

namespace MlNetDigits.Bench.Engine;

/// <summary>Raw IDX MNIST read directly (the benchmark does not depend on the library's loader), normalised per batch.</summary>
internal sealed class Mnist
{
    public const float Mean = 0.1307f, Std = 0.3081f;

    private Mnist(byte[] pixels, int[] labels, int count)
    {
        Pixels = pixels;
        Labels = labels;
        Count = count;
    }

    /// <summary>(Count, 28 * 28) raw bytes.</summary>
    public byte[] Pixels { get; }

    public int[] Labels { get; }

    public int Count { get; }

    public static Mnist Load(string folder, string prefix)
    {
        var images = File.ReadAllBytes(Path.Combine(folder, $"{prefix}-images-idx3-ubyte"));
        var labels = File.ReadAllBytes(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte"));
        if (BinaryPrimitives.ReadInt32BigEndian(images) != 2051 || BinaryPrimitives.ReadInt32BigEndian(labels) != 2049)
            throw new InvalidDataException($"{folder}: {prefix} files are not raw IDX (magic 2051/2049 expected).");
        int count = BinaryPrimitives.ReadInt32BigEndian(images.AsSpan(4));
        int rows = BinaryPrimitives.ReadInt32BigEndian(images.AsSpan(8)), cols = BinaryPrimitives.ReadInt32BigEndian(images.AsSpan(12));
        if (rows != 28 || cols != 28)
            throw new InvalidDataException($"Expected 28x28 images, found {rows}x{cols}.");
        return new Mnist(images[16..], labels[8..].Select(b => (int)b).ToArray(), count);
    }

    /// <summary>Writes images [start, start + x.Dim(0)) into x (N, 1, 28, 28) as (p / 255 - mean) / std.</summary>
    public void Fill(int start, Tensor x)
    {
        int n = x.Shape[0], size = 28 * 28;
        var src = Pixels.AsSpan(start * size, n * size);
        var dst = x.Data;
        float scale = 1f / (255f * Std), shift = -Mean / Std;
        for (int i = 0; i < src.Length; i++)
            dst[i] = src[i] * scale + shift;
    }
}

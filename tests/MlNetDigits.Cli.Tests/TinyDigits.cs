using System.Buffers.Binary;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetDigits.Cli.Tests;

/// <summary>
/// A smaller copy of the committed sample as raw IDX files (every k-th image, so every digit is present), for the tests
/// that train several models: a CNN epoch on it takes a fraction of a second.
/// </summary>
internal static class TinyDigits
{
    /// <summary>Writes <paramref name="trainCount"/> train and <paramref name="testCount"/> test images into <paramref name="folder"/>.</summary>
    public static string Create(string folder, int trainCount = 300, int testCount = 100)
    {
        Directory.CreateDirectory(folder);
        Copy(folder, DatasetSplit.Train, trainCount);
        Copy(folder, DatasetSplit.Test, testCount);
        return folder;
    }

    private static void Copy(string folder, DatasetSplit split, int count)
    {
        var view = new MLContext(0).Data.LoadFromIdxFolder(CliRunner.SampleFolder, split);
        long rows = view.GetRowCount()!.Value;
        long step = rows / count;
        var labels = new List<byte>();
        var pixels = new List<byte>();
        using (var cursor = view.GetRowCursor(view.Schema))
        {
            var getLabel = cursor.GetGetter<uint>(view.Schema["Label"]);
            var getImage = cursor.GetGetter<VBuffer<float>>(view.Schema["Image"]);
            uint label = 0;
            VBuffer<float> image = default;
            while (cursor.MoveNext() && labels.Count < count)
            {
                if (cursor.Position % step != 0)
                    continue;
                getLabel(ref label);
                getImage(ref image);
                labels.Add((byte)label);
                pixels.AddRange(image.GetValues().ToArray().Select(v => (byte)v));
            }
        }
        File.WriteAllBytes(Path.Combine(folder, IdxFileNames.Images(split)), [.. Header(0x0803, labels.Count, 28, 28), .. pixels]);
        File.WriteAllBytes(Path.Combine(folder, IdxFileNames.Labels(split)), [.. Header(0x0801, labels.Count), .. labels]);
    }

    private static byte[] Header(int magic, params int[] dimensions)
    {
        var header = new byte[4 * (1 + dimensions.Length)];
        BinaryPrimitives.WriteInt32BigEndian(header, magic);
        for (int i = 0; i < dimensions.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 * (i + 1)), dimensions[i]);
        return header;
    }
}

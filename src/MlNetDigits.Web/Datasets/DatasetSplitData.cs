using MlNetDigits.Data.Idx;

namespace MlNetDigits.Web.Datasets;

/// <summary>One split of the browsed data set in memory: every image's pixels and label, and the indices of each digit.</summary>
public sealed class DatasetSplitData
{
    private readonly int[][] _byDigit;

    internal DatasetSplitData(DatasetSplit split, IdxImages images, byte[] labels)
    {
        Split = split;
        Images = images;
        Labels = labels;
        var lists = Enumerable.Range(0, 10).Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] < 10)
                lists[labels[i]].Add(i);
        _byDigit = [.. lists.Select(l => l.ToArray())];
    }

    /// <summary>Train or test.</summary>
    public DatasetSplit Split { get; }

    /// <summary>The images (28x28 bytes each, white ink on black).</summary>
    public IdxImages Images { get; }

    /// <summary>The label of each image.</summary>
    public byte[] Labels { get; }

    /// <summary>How many images the split has.</summary>
    public int Count => Labels.Length;

    /// <summary>The indices of the images labelled <paramref name="digit"/> (0..9), in file order.</summary>
    public IReadOnlyList<int> IndicesOf(int digit) => _byDigit[digit];

    /// <summary>How many images each digit has.</summary>
    public int[] CountsByDigit() => [.. _byDigit.Select(d => d.Length)];
}

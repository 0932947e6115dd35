namespace MlNetDigits.Web.Datasets;

/// <summary>
/// One split of the browsed data set: the library's IDX data view (for scoring with a model) and, from it, every image's
/// pixels and label and the indices of each digit.
/// </summary>
public sealed class DatasetSplitData
{
    private readonly int[][] _byDigit;

    internal DatasetSplitData(DatasetSplit split, IdxDataView view)
    {
        Split = split;
        View = view;
        var labels = view.Labels.Span;
        var lists = Enumerable.Range(0, 10).Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] < 10)
                lists[labels[i]].Add(i);
        _byDigit = [.. lists.Select(l => l.ToArray())];
    }

    /// <summary>Train or test.</summary>
    public DatasetSplit Split { get; }

    /// <summary>The split as an ML.NET data view: "Label" (UInt32) and "Image" (Vector&lt;Single, 28, 28&gt;, raw 0..255).</summary>
    public IdxDataView View { get; }

    /// <summary>Image height in pixels (28 for MNIST).</summary>
    public int Height => View.Height;

    /// <summary>Image width in pixels (28 for MNIST).</summary>
    public int Width => View.Width;

    /// <summary>How many images the split has.</summary>
    public int Count => View.RowCount;

    /// <summary>The label of image <paramref name="index"/>.</summary>
    public int Label(int index) => View.Labels.Span[index];

    /// <summary>The pixels of image <paramref name="index"/> (white ink on black, row-major). // (Height, Width)</summary>
    public ReadOnlySpan<byte> Image(int index) => View.Pixels.Span.Slice(checked(index * Height * Width), Height * Width);

    /// <summary>The indices of the images labelled <paramref name="digit"/> (0..9), in file order.</summary>
    public IReadOnlyList<int> IndicesOf(int digit) => _byDigit[digit];

    /// <summary>How many images each digit has.</summary>
    public int[] CountsByDigit() => [.. _byDigit.Select(d => d.Length)];
}

namespace MlNetDigits;

/// <summary>The standard IDX file names of MNIST-style data sets, and how to find them (raw or <c>.gz</c>) in a folder.</summary>
public static class IdxFileNames
{
    /// <summary>The file-name prefix of a split: "train" or "t10k".</summary>
    public static string Prefix(DatasetSplit split) => split switch
    {
        DatasetSplit.Train => "train",
        DatasetSplit.Test => "t10k",
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "Expected Train or Test."),
    };

    /// <summary>The image file name of a split, without <c>.gz</c>, e.g. "train-images-idx3-ubyte".</summary>
    public static string Images(DatasetSplit split) => $"{Prefix(split)}-images-idx3-ubyte";

    /// <summary>The label file name of a split, without <c>.gz</c>, e.g. "train-labels-idx1-ubyte".</summary>
    public static string Labels(DatasetSplit split) => $"{Prefix(split)}-labels-idx1-ubyte";

    /// <summary>The four standard file names (without <c>.gz</c>): train images, train labels, test images, test labels.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Images(DatasetSplit.Train), Labels(DatasetSplit.Train), Images(DatasetSplit.Test), Labels(DatasetSplit.Test)];

    /// <summary>The path of <paramref name="name"/> in <paramref name="folder"/>, raw if present, else with <c>.gz</c>; null when neither exists.</summary>
    public static string? Find(string folder, string name)
    {
        var raw = Path.Combine(folder, name);
        if (File.Exists(raw))
            return raw;
        var gz = raw + ".gz";
        return File.Exists(gz) ? gz : null;
    }

    /// <summary>The image and label paths of <paramref name="split"/> in <paramref name="folder"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file is missing; the message lists what the folder should hold.</exception>
    public static (string Images, string Labels) Locate(string folder, DatasetSplit split)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Data folder '{folder}' not found; it should hold {Images(split)}[.gz] and {Labels(split)}[.gz].");
        var images = Find(folder, Images(split));
        var labels = Find(folder, Labels(split));
        if (images is null || labels is null)
        {
            var missing = images is null ? Images(split) : Labels(split);
            throw new FileNotFoundException(
                $"Data folder '{folder}' has no {missing} (raw or .gz); it should hold {Images(split)}[.gz] and {Labels(split)}[.gz].",
                Path.Combine(folder, missing));
        }
        return (images, labels);
    }
}

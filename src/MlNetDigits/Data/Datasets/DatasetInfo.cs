
namespace MlNetDigits;

/// <summary>Where a data set's IDX files are (or should be), and how to name its classes.</summary>
/// <param name="Name">"mnist", "fashion", "sample", or "folder" for a folder given by path.</param>
/// <param name="Folder">The folder holding (or meant to hold) the files.</param>
/// <param name="ClassNames">Display names by label value, or null when unknown (the label value is shown).</param>
/// <param name="Description">A short description for summaries, e.g. "MNIST handwritten digits".</param>
public sealed record DatasetInfo(string Name, string Folder, IReadOnlyList<string>? ClassNames, string Description)
{
    /// <summary>True when both files of <paramref name="split"/> are present (raw or gzipped).</summary>
    public bool HasSplit(DatasetSplit split) =>
        IdxFileNames.Find(Folder, IdxFileNames.Images(split)) is not null && IdxFileNames.Find(Folder, IdxFileNames.Labels(split)) is not null;

    /// <summary>The display name of class <paramref name="label"/>: its name when known, else the value.</summary>
    public string ClassName(uint label) =>
        ClassNames is { } names && label < names.Count ? names[(int)label] : label.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

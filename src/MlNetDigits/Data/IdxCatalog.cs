using Microsoft.ML;

namespace MlNetDigits;

/// <summary>
/// <c>mlContext.Data.LoadFromIdx(...)</c>, <c>LoadFromIdxFolder(...)</c> and <c>LoadDataset(...)</c>: MNIST-style IDX
/// files as an ML.NET <see cref="IDataView"/> with columns "Label" (UInt32) and "Image" (Vector&lt;Single, rows, columns&gt;
/// of raw pixels 0..255). The result works with everything ML.NET does with data views: TrainTestSplit, ShuffleRows,
/// Cache, Preview, CreateEnumerable, transforms and trainers.
/// </summary>
public static class IdxCatalog
{
    /// <summary>
    /// Loads an IDX image file and its label file (raw or gzipped). Both files are read and validated now; rows are
    /// produced lazily by cursors (pixels are widened to floats as they are read).
    /// </summary>
    /// <exception cref="InvalidDataFileException">A file is not valid IDX, or the two counts differ.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public static IDataView LoadFromIdx(this DataOperationsCatalog catalog, string imagesPath, string labelsPath)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var (images, labels) = IdxReader.ReadPair(imagesPath, labelsPath);
        return new IdxDataView(images, labels);
    }

    /// <summary>
    /// Loads one split of an MNIST-style folder holding <c>{train|t10k}-images-idx3-ubyte</c> and
    /// <c>{train|t10k}-labels-idx1-ubyte</c>, each raw or with <c>.gz</c>.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file of the split is missing.</exception>
    public static IDataView LoadFromIdxFolder(this DataOperationsCatalog catalog, string folder, DatasetSplit split = DatasetSplit.Train)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var (images, labels) = IdxFileNames.Locate(folder, split);
        return catalog.LoadFromIdx(images, labels);
    }

    /// <summary>
    /// Loads one split of a data set by name ("mnist", "fashion", "sample") or folder path, found as
    /// <see cref="DatasetLocator"/> finds it (data root: <paramref name="dataRoot"/>, else MLNETDIGITS_DATA, else ./data).
    /// Nothing is downloaded: a missing MNIST fails with a message saying to run <c>mlnetdigits data fetch</c>. The labels
    /// of a known data set (MNIST, Fashion-MNIST, the sample) must be among its classes.
    /// </summary>
    /// <exception cref="FileNotFoundException">The data set's files are not there; the message says how to get them.</exception>
    /// <exception cref="InvalidDataFileException">A file is not valid IDX.</exception>
    public static IDataView LoadDataset(this DataOperationsCatalog catalog, string nameOrFolder, DatasetSplit split = DatasetSplit.Train, string? dataRoot = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var dataset = new DatasetLocator(dataRoot).Resolve(nameOrFolder);
        if (!dataset.HasSplit(split))
        {
            var hint = dataset.Name switch
            {
                "mnist" => "Run `mlnetdigits data fetch` (or new DatasetFetcher(locator).FetchAsync(\"mnist\")) to download it.",
                "fashion" => "Install it with `sudo apt-get install dataset-fashion-mnist`.",
                "sample" => "The sample is committed under data/sample in the repository; pass the data root that holds it.",
                _ => $"The folder should hold {IdxFileNames.Images(split)}[.gz] and {IdxFileNames.Labels(split)}[.gz].",
            };
            throw new FileNotFoundException($"The {IdxFileNames.Prefix(split)} split of '{nameOrFolder}' is not in {dataset.Folder}. {hint}",
                Path.Combine(dataset.Folder, IdxFileNames.Images(split)));
        }
        var view = (IdxDataView)catalog.LoadFromIdxFolder(dataset.Folder, split);
        if (dataset.ClassNames is { Count: var classes })
        {
            // A known data set has known classes: a label outside them is a damaged file, not a new class.
            int row = view.Labels.Span.IndexOfAnyExceptInRange((byte)0, (byte)(classes - 1));
            if (row >= 0)
                throw new InvalidDataFileException(IdxFileNames.Locate(dataset.Folder, split).Labels,
                    $"row {row} has the label {view.Labels.Span[row]}, but {dataset.Description} has {classes} classes (0..{classes - 1}). The file is damaged or not this data set's; fetch it again.");
        }
        return view;
    }
}

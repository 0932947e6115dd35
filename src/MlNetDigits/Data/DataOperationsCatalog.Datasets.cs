using MlNetDigits.Data.Datasets;
using MlNetDigits.Data.Idx;

namespace MlNetDigits.Data;

public sealed partial class DataOperationsCatalog
{
    /// <summary>
    /// Loads one split of a data set by name ("mnist", "fashion", "sample") or folder path, found as
    /// <see cref="DatasetLocator"/> finds it (data root: <paramref name="dataRoot"/>, else MLNETDIGITS_DATA, else ./data).
    /// Nothing is downloaded: a missing MNIST fails with a message saying to run <c>mlnetdigits data fetch</c>.
    /// </summary>
    /// <exception cref="FileNotFoundException">The data set's files are not there; the message says how to get them.</exception>
    /// <exception cref="InvalidDataFileException">A file is not valid IDX.</exception>
    public IDataView LoadDataset(string nameOrFolder, DatasetSplit split = DatasetSplit.Train, string? dataRoot = null)
    {
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
        return LoadFromIdxFolder(dataset.Folder, split);
    }
}

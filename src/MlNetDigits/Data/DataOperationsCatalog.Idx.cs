using MlNetDigits.Data.Idx;

namespace MlNetDigits.Data;

public sealed partial class DataOperationsCatalog
{
    /// <summary>
    /// Loads an IDX image file and its label file (raw or gzipped) into a data view with columns "Label" (UInt32, the
    /// class value) and "Image" (Vector&lt;Single, rows, columns&gt; of raw pixel values 0..255, annotated with the image
    /// shape {1, rows, columns}). Both files are read and validated now; the view is an <see cref="IdxDataView"/>.
    /// </summary>
    /// <exception cref="InvalidDataFileException">A file is not valid IDX, or the two counts differ.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public IDataView LoadFromIdx(string imagesPath, string labelsPath)
    {
        var (images, labels) = IdxReader.ReadPair(imagesPath, labelsPath);
        return new IdxDataView(images, labels);
    }

    /// <summary>
    /// Loads one split of an MNIST-style folder holding <c>{train|t10k}-images-idx3-ubyte</c> and
    /// <c>{train|t10k}-labels-idx1-ubyte</c>, each raw or with <c>.gz</c> (see <see cref="LoadFromIdx"/>).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file of the split is missing.</exception>
    public IDataView LoadFromIdxFolder(string folder, DatasetSplit split = DatasetSplit.Train)
    {
        var (images, labels) = IdxFileNames.Locate(folder, split);
        return LoadFromIdx(images, labels);
    }
}


namespace MlNetDigits.Tests;

public sealed class LoadFromIdxTests
{
    private static readonly string SampleFolder = Path.Combine(AppContext.BaseDirectory, "data", "sample");

    [Fact]
    public void LoadFromIdx_SampleHas2000RowsAnd200PerDigit()
    {
        var view = new MLContext(1).Data.LoadFromIdxFolder(SampleFolder, DatasetSplit.Train);

        Assert.Equal(2000L, view.GetRowCount());
        var counts = new int[10];
        using var cursor = view.GetRowCursor([view.Schema["Label"]]);
        var getLabel = cursor.GetGetter<uint>(view.Schema["Label"]);
        uint label = 0;
        var rows = 0;
        while (cursor.MoveNext())
        {
            getLabel(ref label);
            counts[label]++;
            rows++;
        }
        Assert.Equal(2000, rows);
        Assert.All(counts, c => Assert.Equal(200, c));
    }

    [Fact]
    public void LoadFromIdx_TestSplitHas1000Rows()
    {
        var view = new MLContext(1).Data.LoadFromIdxFolder(SampleFolder, DatasetSplit.Test);

        Assert.Equal(1000L, view.GetRowCount());
    }

    [Fact]
    public void LoadFromIdx_SchemaHasUInt32LabelAndA784ImageVectorWithItsShapeRecorded()
    {
        var view = new MLContext(1).Data.LoadFromIdx(
            Path.Combine(SampleFolder, "train-images-idx3-ubyte.gz"), Path.Combine(SampleFolder, "train-labels-idx1-ubyte.gz"));

        Assert.Equal(2, view.Schema.Count);
        Assert.Equal(NumberDataViewType.UInt32, view.Schema["Label"].Type);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 784), view.Schema["Image"].Type);
        VBuffer<int> shape = default;
        view.Schema["Image"].Annotations.GetValue(IdxDataView.ImageShapeAnnotation, ref shape);
        Assert.Equal([1, 28, 28], shape.DenseValues());
        Assert.Equal(0, view.Schema["Label"].Index);
        Assert.Equal(1, view.Schema["Image"].Index);
    }

    [Fact]
    public void LoadFromIdx_ImageValuesAreRawPixelsAsFloats()
    {
        var (images, labels) = IdxReader.ReadPair(
            Path.Combine(SampleFolder, "train-images-idx3-ubyte.gz"), Path.Combine(SampleFolder, "train-labels-idx1-ubyte.gz"));
        var view = new MLContext(1).Data.LoadFromIdxFolder(SampleFolder);

        using var cursor = view.GetRowCursor(view.Schema);
        var getImage = cursor.GetGetter<VBuffer<float>>(view.Schema["Image"]);
        var getLabel = cursor.GetGetter<uint>(view.Schema["Label"]);
        VBuffer<float> image = default;
        uint label = 0;
        float max = 0;
        for (int row = 0; cursor.MoveNext(); row++)
        {
            getImage(ref image);
            getLabel(ref label);
            Assert.Equal(labels[row], label);
            var values = image.GetValues();
            Assert.Equal(784, values.Length);
            var expected = images.GetImage(row);
            for (int i = 0; i < values.Length; i++)
                Assert.Equal(expected[i], values[i]);
            max = Math.Max(max, values.ToArray().Max());
        }
        Assert.Equal(255f, max);
    }

    [Fact]
    public void LoadFromIdx_ShuffledCursorVisitsEveryRowOnceAndIsSeeded()
    {
        var view = new MLContext(1).Data.LoadFromIdxFolder(SampleFolder, DatasetSplit.Test);

        var first = ReadLabelsInOrder(view, new Random(7));
        var second = ReadLabelsInOrder(view, new Random(7));
        var plain = ReadLabelsInOrder(view, null);

        Assert.Equal(first, second);
        Assert.NotEqual(plain, first);
        Assert.Equal(plain.Order(), first.Order());
    }

    [Fact]
    public void LoadFromIdxFolder_ThrowsNamingMissingFile()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mlnd-empty-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var e = Assert.Throws<FileNotFoundException>(() => new MLContext().Data.LoadFromIdxFolder(folder, DatasetSplit.Test));

            Assert.Contains("t10k-images-idx3-ubyte", e.Message);
            Assert.Contains(folder, e.Message);
        }
        finally
        {
            Directory.Delete(folder);
        }
    }

    [Fact]
    public void LoadFromIdxFolder_ThrowsGivenMissingFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mlnd-absent-" + Guid.NewGuid().ToString("N"));

        var e = Assert.Throws<DirectoryNotFoundException>(() => new MLContext().Data.LoadFromIdxFolder(folder));

        Assert.Contains(folder, e.Message);
    }

    [Fact]
    public void LoadFromIdx_GetterThrowsBeforeFirstMove()
    {
        var view = new MLContext(1).Data.LoadFromIdxFolder(SampleFolder, DatasetSplit.Test);
        using var cursor = view.GetRowCursor(view.Schema);
        var getLabel = cursor.GetGetter<uint>(view.Schema["Label"]);
        uint label = 0;

        Assert.Throws<InvalidOperationException>(() => getLabel(ref label));
    }

    [Fact]
    public void IdxDataView_WorksWithMlNetsTrainTestSplitShuffleCachePreviewAndEnumerable()
    {
        var ml = new MLContext(1);
        var view = ml.Data.LoadFromIdxFolder(SampleFolder, DatasetSplit.Test);

        var split = ml.Data.TrainTestSplit(view, testFraction: 0.2, seed: 3);
        long train = Count(split.TrainSet), test = Count(split.TestSet);
        Assert.Equal(1000, train + test);
        Assert.InRange(test, 150, 250);

        var shuffled = ml.Data.ShuffleRows(view, seed: 5);
        var labels = ReadLabelsInOrder(shuffled, null);
        Assert.Equal(ReadLabelsInOrder(view, null).Order(), labels.Order());
        Assert.NotEqual(ReadLabelsInOrder(view, null), labels);
        Assert.Equal(labels, ReadLabelsInOrder(ml.Data.ShuffleRows(view, seed: 5), null));

        var cached = ml.Data.Cache(view);
        Assert.Equal(ReadLabelsInOrder(view, null), ReadLabelsInOrder(cached, null));

        var preview = view.Preview(maxRows: 3);
        Assert.Equal(3, preview.RowView.Length);
        Assert.Equal(["Label", "Image"], preview.Schema.Select(c => c.Name));

        var rows = ml.Data.CreateEnumerable<ImageClassificationTestData.Row>(view, reuseRowObject: false).Take(5).ToList();
        Assert.Equal(ReadLabelsInOrder(view, null).Take(5), rows.Select(r => r.Label));
        Assert.All(rows, r => Assert.Equal(784, r.Image.Length));

        var sevens = ml.Data.FilterRowsByColumn(ml.Transforms.Conversion.ConvertType("LabelValue", "Label", DataKind.Single).Fit(view).Transform(view), "LabelValue", 7, 8);
        Assert.Equal(ReadLabelsInOrder(view, null).Count(l => l == 7), Count(sevens));
    }

    [Fact]
    public void StandardSdcaPipeline_OverLoadFromIdx_ConvertsToAnOnnxGraphThatOnnxRuntimeRuns()
    {
        // With the image as Vector<Single, 28, 28> ML.NET's converter wrote a LinearClassifier on a 3-D input that ONNX
        // Runtime refuses; the flat vector with a shape annotation exports cleanly.
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromIdxFolder(SampleFolder, DatasetSplit.Test);
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.NormalizeMinMax("Features", "Image"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 3)).Fit(data);
        using var onnx = new MemoryStream();

        ml.Model.ConvertToOnnx(model, data, onnx);

        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(onnx.ToArray());
        Assert.Contains(session.InputMetadata, i => i.Key == "Image" && i.Value.Dimensions[^1] == 784);
    }

    [Fact]
    public void IdxDataView_ParallelCursorSet_ReadsEveryRow()
    {
        var view = new MLContext(1).Data.LoadFromIdxFolder(SampleFolder, DatasetSplit.Test);

        var cursors = view.GetRowCursorSet([view.Schema["Label"]], n: 4);
        long rows = 0;
        foreach (var cursor in cursors)
            using (cursor)
                while (cursor.MoveNext())
                    rows++;

        Assert.Equal(1000, rows);
    }

    private static long Count(IDataView view)
    {
        long n = 0;
        using var cursor = view.GetRowCursor([]);
        while (cursor.MoveNext())
            n++;
        return n;
    }

    private static uint[] ReadLabelsInOrder(IDataView view, Random? rand)
    {
        var result = new List<uint>();
        using var cursor = view.GetRowCursor([view.Schema["Label"]], rand);
        var getLabel = cursor.GetGetter<uint>(view.Schema["Label"]);
        uint label = 0;
        while (cursor.MoveNext())
        {
            getLabel(ref label);
            result.Add(label);
        }
        return [.. result];
    }
}

public sealed class LoadDatasetTests
{
    [Fact]
    public void LoadDataset_LoadsTheSampleByName()
    {
        var root = Path.Combine(Path.GetTempPath(), "mlnd-root-" + Guid.NewGuid().ToString("N"));

        var view = new MLContext(1).Data.LoadDataset("sample", DatasetSplit.Test, root);

        Assert.Equal(1000L, view.GetRowCount());
    }

    [Fact]
    public void LoadDataset_KnownDataSetWithALabelOutsideItsClasses_ThrowsNamingTheRowAndTheFile()
    {
        // MNIST's folder holding the sample's test split, one label changed to 200 (a damaged file, not an 11th class).
        var root = Path.Combine(Path.GetTempPath(), "mlnd-root-" + Guid.NewGuid().ToString("N"));
        var mnist = Directory.CreateDirectory(Path.Combine(root, "mnist")).FullName;
        try
        {
            var sample = Path.Combine(AppContext.BaseDirectory, "data", "sample");
            File.Copy(Path.Combine(sample, "t10k-images-idx3-ubyte.gz"), Path.Combine(mnist, "t10k-images-idx3-ubyte.gz"));
            using (var gz = new System.IO.Compression.GZipStream(File.OpenRead(Path.Combine(sample, "t10k-labels-idx1-ubyte.gz")), System.IO.Compression.CompressionMode.Decompress))
            using (var buffer = new MemoryStream())
            {
                gz.CopyTo(buffer);
                var labels = buffer.ToArray();
                labels[8 + 17] = 200;                    // row 17, after the 8-byte header
                File.WriteAllBytes(Path.Combine(mnist, "t10k-labels-idx1-ubyte"), labels);
            }

            var e = Assert.Throws<InvalidDataFileException>(() => new MLContext(1).Data.LoadDataset("mnist", DatasetSplit.Test, root));

            Assert.Contains("row 17 has the label 200", e.Message, StringComparison.Ordinal);
            Assert.Contains("10 classes", e.Message, StringComparison.Ordinal);
            Assert.Contains("t10k-labels-idx1-ubyte", e.Message, StringComparison.Ordinal);
            // A folder given by path is not a known data set: its labels are whatever it holds.
            Assert.Equal(1000L, new MLContext(1).Data.LoadFromIdxFolder(mnist, DatasetSplit.Test).GetRowCount());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void LoadDataset_MissingMnist_SaysToFetch()
    {
        var root = Path.Combine(Path.GetTempPath(), "mlnd-root-" + Guid.NewGuid().ToString("N"));

        var e = Assert.Throws<FileNotFoundException>(() => new MLContext(1).Data.LoadDataset("mnist", DatasetSplit.Train, root));

        Assert.Contains("mlnetdigits data fetch", e.Message);
        Assert.Contains(Path.Combine(root, "mnist"), e.Message);
    }
}

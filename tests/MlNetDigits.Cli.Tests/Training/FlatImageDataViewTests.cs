using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetDigits.Cli.Training;

namespace MlNetDigits.Cli.Tests.Training;

public sealed class FlatImageDataViewTests
{
    [Fact]
    public void FlatImageDataView_TypesTheImageAsAFlatVectorAndKeepsEveryValue()
    {
        var images = new MLContext(0).Data.LoadFromIdxFolder(CliRunner.SampleFolder, DatasetSplit.Test);

        var flat = new FlatImageDataView(images);

        var type = Assert.IsType<VectorDataViewType>(flat.Schema["Image"].Type);
        Assert.Equal([784], type.Dimensions.ToArray());
        Assert.Equal(images.Schema["Label"].Type, flat.Schema["Label"].Type);
        Assert.Equal(images.GetRowCount(), flat.GetRowCount());
        var (labels, pixels) = Read(images);
        var (flatLabels, flatPixels) = Read(flat);
        Assert.Equal(labels, flatLabels);
        Assert.Equal(pixels, flatPixels);
    }

    [Fact]
    public void FlatImageDataView_ThrowsGivenAnImageColumnThatIsNotAVector()
    {
        var scalarImages = new MLContext(0).Data.LoadFromEnumerable([new { Image = 1f }]);

        var error = Assert.Throws<ArgumentException>(() => new FlatImageDataView(scalarImages));

        Assert.Contains("'Image' must be a vector of known size", error.Message);
    }

    /// <summary>Every label and the pixels of the first 50 rows, in row order.</summary>
    private static (List<uint> Labels, List<float> Pixels) Read(IDataView view)
    {
        var labels = new List<uint>();
        var pixels = new List<float>();
        using var cursor = view.GetRowCursor(view.Schema);
        var getLabel = cursor.GetGetter<uint>(view.Schema["Label"]);
        var getImage = cursor.GetGetter<VBuffer<float>>(view.Schema["Image"]);
        uint label = 0;
        VBuffer<float> image = default;
        while (cursor.MoveNext())
        {
            getLabel(ref label);
            labels.Add(label);
            if (cursor.Position < 50)
            {
                getImage(ref image);
                pixels.AddRange(image.DenseValues());
            }
        }
        return (labels, pixels);
    }
}

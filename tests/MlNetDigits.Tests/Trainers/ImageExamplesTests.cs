using Microsoft.ML.Transforms;

namespace MlNetDigits.Tests;

public sealed class ImageExamplesTests
{
    private static readonly string SampleFolder = Path.Combine(AppContext.BaseDirectory, "data", "sample");

    /// <summary>The sample's test split with the label keyed on the digits 0..8 only, so the 9s have a missing key (0).</summary>
    private static IDataView WithoutNines(MLContext ml)
    {
        var raw = ml.Data.LoadFromIdxFolder(SampleFolder, DatasetSplit.Test);
        var digits = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 9).Select(d => new KeyRow { Label = (uint)d }));
        return ml.Transforms.Conversion.MapValueToKey("Label", keyData: digits, keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Fit(raw).Transform(raw);
    }

    private sealed class KeyRow
    {
        public uint Label { get; set; }
    }

    [Fact]
    public void Read_GivesTheSameExamples_WhetherTheViewKnowsItsRowCountOrNot()
    {
        var ml = new MLContext(1);
        var counted = WithoutNines(ml);
        var uncounted = ml.Data.FilterRowsByMissingValues(counted, "Image"); // keeps every row, but no longer knows how many
        Assert.Equal(1000L, counted.GetRowCount());
        Assert.Null(uncounted.GetRowCount());

        var direct = ImageExamples.Read(counted, "Label", "Image", null, CancellationToken.None);
        var chunked = ImageExamples.Read(uncounted, "Label", "Image", null, CancellationToken.None);

        Assert.Equal(100, direct.SkippedMissingLabels);                   // the sample holds 100 of each digit
        Assert.Equal(900, direct.Labels.Length);
        Assert.Equal(900 * 784, direct.Pixels.Length);       // trimmed to the rows kept
        Assert.Equal(chunked.SkippedMissingLabels, direct.SkippedMissingLabels);
        Assert.Equal(chunked.Labels, direct.Labels);
        Assert.Equal(chunked.Pixels, direct.Pixels);
        Assert.DoesNotContain(9, direct.Labels);
    }
}

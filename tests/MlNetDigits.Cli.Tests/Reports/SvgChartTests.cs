using System.Xml.Linq;
using MlNetDigits.Cli.Reports;

namespace MlNetDigits.Cli.Tests.Reports;

public sealed class SvgChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    public static TheoryData<string, double[]> Series => new()
    {
        { "one point", [0.5] },
        { "flat", [0.3, 0.3, 0.3] },
        { "falling", [2.3, 1.1, 0.4, 0.2, 0.05] },
        { "negative", [-3, 1, -0.5] },
    };

    [Theory]
    [MemberData(nameof(Series))]
    public void Line_ParsesAsSvgWithFiniteCoordinatesAndOneLegendEntryPerSeries(string name, double[] values)
    {
        var curve = new TrainingCurve($"Loss & <{name}>", "epoch", "loss",
        [
            new CurveSeries("training", [.. values.Select((v, i) => new CurvePoint(i + 1, v))]),
            new CurveSeries("validation \"held out\"", [.. values.Select((v, i) => new CurvePoint(i + 1, v / 2))]),
        ]);

        var doc = XDocument.Parse(SvgChart.Line(curve));

        Assert.Equal(Svg + "svg", doc.Root!.Name);
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value == $"Loss & <{name}>");
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value == "validation \"held out\"");
        var numbers = doc.Descendants().SelectMany(e => e.Attributes())
            .Where(a => a.Name.LocalName is "x" or "y" or "cx" or "cy" or "x1" or "y1" or "x2" or "y2")
            .Select(a => double.Parse(a.Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(numbers);
        Assert.All(numbers, v => Assert.True(double.IsFinite(v) && v >= 0 && v <= 600, $"coordinate {v}"));
        Assert.Equal(values.Length * 2, doc.Descendants(Svg + "circle").Count());
    }

    [Fact]
    public void ConfusionHeatmap_HasOneCellPerPairAndShowsNonZeroCounts()
    {
        double[][] counts = [[5, 1, 0], [0, 7, 2], [3, 0, 9]];

        var doc = XDocument.Parse(SvgChart.ConfusionHeatmap(counts, ["T-shirt/top", "a&b", "<c>"], "sdca: confusion matrix"));

        var cells = doc.Descendants(Svg + "rect").Where(r => r.Element(Svg + "title") is not null).ToList();
        Assert.Equal(9, cells.Count);
        Assert.Contains(cells, c => c.Element(Svg + "title")!.Value == "actual a&b, predicted <c>: 2");
        var texts = doc.Descendants(Svg + "text").Select(t => t.Value).ToList();
        foreach (var count in new[] { "5", "1", "7", "2", "3", "9" })
            Assert.Contains(count, texts);
        Assert.DoesNotContain("0", texts);
        Assert.Contains("a&b", texts);
        Assert.Contains("T-shi…", texts);
    }

    [Fact]
    public void ConfusionHeatmap_ThrowsGivenClassNamesThatDoNotMatchTheMatrix()
    {
        double[][] counts = [[5, 1], [0, 7]];

        var error = Assert.Throws<ArgumentException>(() => SvgChart.ConfusionHeatmap(counts, ["a", "b", "c"], "mismatch"));

        Assert.Contains("2 x 2", error.Message);
        Assert.Contains("3 names", error.Message);
    }
}

using System.Reflection;
using System.Xml.Linq;

namespace MlNetDigits.Tests.Charts;

public sealed class ChartTests
{
    private static readonly string[] Digits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    /// <summary>The texts drawn in an SVG chart, after parsing it as XML (which fails on malformed SVG).</summary>
    private static List<string> Texts(string svg) =>
        [.. XDocument.Parse(svg).Descendants(Svg + "text").Select(t => t.Value.Trim())];

    private static Chart Curves() => MlNetDigits.Charts.TrainingCurves(
        "Training",
        [new ChartSeries("train loss", [2.3, 1.1, 0.7]), new ChartSeries("validation loss", [2.2, 1.2, 0.9]) { Dashed = true }],
        yLabel: "loss",
        rightAxis: [new ChartSeries("validation accuracy", [0.5, 0.8, 0.9])],
        rightYLabel: "accuracy");

    private static int[,] Confusion(int k)
    {
        var counts = new int[k, k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                counts[i, j] = i == j ? 1000 + i : 10 * i + j + 1;
        return counts;
    }

    [Fact]
    public void TrainingCurves_DrawsTitleAxisLabelsAndEverySeriesName_AsWellFormedSvg()
    {
        var texts = Texts(Curves().ToSvg());

        Assert.Contains("Training", texts);
        Assert.Contains("epoch", texts);
        Assert.Contains("loss", texts);
        Assert.Contains("accuracy", texts);
        Assert.Contains("train loss", texts);
        Assert.Contains("validation loss", texts);
        Assert.Contains("validation accuracy", texts);
    }

    [Fact]
    public void ConfusionMatrix_WritesEveryCountAndEveryClassNameOnBothAxes()
    {
        var counts = Confusion(10);
        string[] names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

        var texts = Texts(MlNetDigits.Charts.ConfusionMatrix(counts, names).ToSvg());

        // Counts are unique here (diagonal 1000 + i, off-diagonal 10i + j + 1), so each must appear exactly once.
        foreach (int count in counts)
            Assert.Single(texts, count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var name in names)
            Assert.Equal(2, texts.Count(t => t == name));
        Assert.Contains("Confusion matrix", texts);
        Assert.Contains("predicted", texts);
        Assert.Contains("actual", texts);
    }

    [Fact]
    public void Bars_LabelEveryCategoryAndValue()
    {
        var texts = Texts(MlNetDigits.Charts.Bars("Test digits", Digits, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009], "examples").ToSvg());

        Assert.Contains("Test digits", texts);
        Assert.Contains("examples", texts);
        Assert.All(Digits, d => Assert.Contains(d, texts));
        Assert.Contains("1135", texts);
        Assert.Contains("892", texts);
    }

    [Fact]
    public void Bars_WriteProbabilitiesWithAPointWhateverTheCulture()
    {
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        // A culture with a decimal comma (the tests run with invariant globalization, so it is made, not looked up).
        var comma = (System.Globalization.CultureInfo)System.Globalization.CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        System.Globalization.CultureInfo.CurrentCulture = comma;
        try
        {
            var texts = Texts(MlNetDigits.Charts.Bars("p", ["3", "8"], [0.25, 0.75]).ToSvg());

            Assert.Contains("0.25", texts);
            Assert.Contains("0.75", texts);
            Assert.DoesNotContain(texts, t => System.Text.RegularExpressions.Regex.IsMatch(t, @"\d,\d")); // tick labels too
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void GroupedBars_NameEverySeriesInTheLegend()
    {
        var texts = Texts(MlNetDigits.Charts.GroupedBars("Per class", ["0", "1"],
            [new ChartSeries("precision", [0.9, 0.8]), new ChartSeries("recall", [0.7, 0.95]), new ChartSeries("F1", [0.8, 0.87])]).ToSvg());

        Assert.Contains("precision", texts);
        Assert.Contains("recall", texts);
        Assert.Contains("F1", texts);
        Assert.Contains("Per class", texts);
    }

    [Fact]
    public void ReliabilityDiagram_DrawsTheLegendAndAxes_AllowingNaNOnlyInEmptyBins()
    {
        var chart = MlNetDigits.Charts.ReliabilityDiagram([double.NaN, 0.3, 0.9], [double.NaN, 0.25, 0.93], [0, 12, 300]);

        var texts = Texts(chart.ToSvg());

        Assert.Contains("Reliability", texts);
        Assert.Contains("confidence", texts);
        Assert.Contains("accuracy", texts);
        Assert.Contains("perfect calibration", texts);
        Assert.Contains("predictions (right axis)", texts);
        var error = Assert.Throws<ArgumentException>(() => MlNetDigits.Charts.ReliabilityDiagram([0.1, 0.3], [double.NaN, 0.25], [5, 12]));
        Assert.Contains("Bin 0 has accuracy NaN: expected a number from 0 to 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Histogram_DrawsTitleAndAxisLabels()
    {
        var texts = Texts(MlNetDigits.Charts.Histogram("Pixels", [0, 0, 0, 128, 255, 255], bins: 4, xLabel: "intensity", min: 0, max: 255).ToSvg());

        Assert.Contains("Pixels", texts);
        Assert.Contains("intensity", texts);
        Assert.Contains("count", texts);
    }

    public static TheoryData<string, Func<Chart>> EveryKind => new()
    {
        { "curves", Curves },
        { "confusion", () => MlNetDigits.Charts.ConfusionMatrix(Confusion(3), ["a", "b", "c"]) },
        { "bars", () => MlNetDigits.Charts.Bars("b", Digits, [.. Enumerable.Range(0, 10).Select(i => i * 0.1)]) },
        { "grouped", () => MlNetDigits.Charts.GroupedBars("g", ["x", "y"], [new ChartSeries("s", [1, 2])]) },
        { "reliability", () => MlNetDigits.Charts.ReliabilityDiagram([0.2, 0.8], [0.1, 0.9], [3, 7]) },
        { "histogram", () => MlNetDigits.Charts.Histogram("h", [1, 2, 2, 3, 3, 3]) },
    };

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void SameInput_GivesIdenticalSvgAndPng_FromFreshChartsAndRepeatedRenders(string kind, Func<Chart> make)
    {
        var first = make();
        var second = make();

        var svg = first.ToSvg();
        Assert.True(svg == second.ToSvg(), $"{kind}: two charts made from the same input drew different SVG");
        Assert.True(svg == first.ToSvg(), $"{kind}: drawing the same chart twice gave different SVG");
        Assert.True(first.ToPng().AsSpan().SequenceEqual(second.ToPng()), $"{kind}: the same input drew different PNG bytes");
        Assert.StartsWith("<svg ", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void ToSvg_GivesDifferentChartsDistinctElementIds_SoTheyCanShareAPage()
    {
        static HashSet<string> Ids(string svg) =>
            [.. XDocument.Parse(svg).Descendants().Select(e => (string?)e.Attribute("id")).OfType<string>()];

        var a = Ids(Curves().ToSvg());
        var b = Ids(MlNetDigits.Charts.Bars("b", ["x"], [1]).ToSvg());

        Assert.NotEmpty(a);
        Assert.Empty(a.Intersect(b));
    }

    [Fact]
    public void ToSvgAndToPng_HaveTheSizeAskedFor()
    {
        var chart = Curves();

        var svg = XDocument.Parse(chart.ToSvg(300, 200)).Root!;
        var png = chart.ToPng(300, 200);

        Assert.Equal("300", (string?)svg.Attribute("width"));
        Assert.Equal("200", (string?)svg.Attribute("height"));
        Assert.Equal("0 0 300 200", (string?)svg.Attribute("viewBox"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Equal(300, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(200, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        Assert.Throws<ArgumentOutOfRangeException>(() => chart.ToPng(0, 200));
    }

    public static TheoryData<string, Action> BadInputs => new()
    {
        { "Expected at least one series to draw; found none.", () => MlNetDigits.Charts.TrainingCurves("t", []) },
        { "Series 'loss' is empty: expected at least one value.", () => MlNetDigits.Charts.TrainingCurves("t", [new ChartSeries("loss", [])]) },
        { "Series 'loss' has NaN at index 1: expected finite numbers", () => MlNetDigits.Charts.TrainingCurves("t", [new ChartSeries("loss", [1, double.NaN])]) },
        { "Series 'loss' has Infinity at index 0", () => MlNetDigits.Charts.TrainingCurves("t", [new ChartSeries("loss", [double.PositiveInfinity])]) },
        { "Series 'loss' has 3 x values for 2 values: expected one x per value.",
            () => MlNetDigits.Charts.TrainingCurves("t", [new ChartSeries("loss", [1, 2]) { X = [1, 2, 3] }]) },
        { "Expected a 3 x 3 matrix of counts (one row and one column per class name); found 2 x 2.",
            () => MlNetDigits.Charts.ConfusionMatrix(new int[2, 2], ["a", "b", "c"]) },
        { "counts[0, 1] is -1: expected counts of zero or more.", () => MlNetDigits.Charts.ConfusionMatrix(new[,] { { 1, -1 }, { 0, 1 } }, ["a", "b"]) },
        { "Expected at least one label; found none.", () => MlNetDigits.Charts.ConfusionMatrix(new int[0, 0], []) },
        { "The values: expected 3 values (one per label), found 2.", () => MlNetDigits.Charts.Bars("b", ["a", "b", "c"], [1, 2]) },
        { "The values has NaN at index 0", () => MlNetDigits.Charts.Bars("b", ["a"], [double.NaN]) },
        { "Series 'recall': expected 2 values (one per label), found 1.",
            () => MlNetDigits.Charts.GroupedBars("g", ["a", "b"], [new ChartSeries("precision", [1, 2]), new ChartSeries("recall", [1])]) },
        { "The accuracy per bin: expected 2 values (one per label), found 1.", () => MlNetDigits.Charts.ReliabilityDiagram([0.1, 0.2], [0.1], [1, 1]) },
        { "Bin 1 has mean confidence 1.5: expected a number from 0 to 1.", () => MlNetDigits.Charts.ReliabilityDiagram([0.1, 1.5], [0.1, 0.2], [1, 1]) },
        { "The values is empty: expected at least one value.", () => MlNetDigits.Charts.Histogram("h", []) },
        { "Expected a finite range with min <= max; found [5, 1].", () => MlNetDigits.Charts.Histogram("h", [1, 2], min: 5, max: 1) },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadInput_ThrowsArgumentExceptionSayingWhatIsWrong(string message, Action draw)
    {
        var error = Assert.ThrowsAny<ArgumentException>(draw);

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Chart_CarriesTheFormatterSourceThatPolyglotNotebooksLooksUpByName()
    {
        // .NET Interactive's convention (Formatter.TryRegisterFromConventionBasedFormatterSources): an attribute whose
        // class is named TypeFormatterSourceAttribute, with FormatterSourceType and PreferredMimeTypes properties; the
        // source's CreateTypeFormatters() returns objects with MimeType and bool Format(object, TextWriter).
        var attribute = Assert.Single(typeof(Chart).GetCustomAttributes(true), a => a.GetType().Name == "TypeFormatterSourceAttribute");
        var sourceType = (Type)attribute.GetType().GetProperty("FormatterSourceType")!.GetValue(attribute)!;
        var preferred = (string[])attribute.GetType().GetProperty("PreferredMimeTypes")!.GetValue(attribute)!;
        var source = Activator.CreateInstance(sourceType)!;
        var formatters = ((IEnumerable<object>)sourceType.GetMethod("CreateTypeFormatters")!.Invoke(source, null)!).ToList();
        var chart = Curves();

        Assert.Equal(["image/svg+xml", "text/plain"], preferred);
        var shown = new Dictionary<string, string>();
        foreach (var formatter in formatters)
        {
            var mimeType = (string)formatter.GetType().GetProperty("MimeType")!.GetValue(formatter)!;
            var writer = new StringWriter();
            var format = formatter.GetType().GetMethod("Format", BindingFlags.Public | BindingFlags.Instance, [typeof(object), typeof(TextWriter)])!;
            Assert.True((bool)format.Invoke(formatter, [chart, writer])!);
            Assert.False((bool)format.Invoke(formatter, ["not a chart", new StringWriter()])!);
            shown[mimeType] = writer.ToString();
        }
        Assert.Equal(chart.ToSvg(), shown["image/svg+xml"]);
        Assert.Equal("Chart \"Training\" (640 x 400)", shown["text/plain"]);
    }
}

using System.Xml.Linq;
using MlNetDigits.Data;
using MlNetDigits.Data.Idx;
using MlNetDigits.Display;
using MlNetDigits.Evaluation;
using MlNetDigits.Imaging;
using MlNetDigits.Tests.Evaluation;
using MlNetDigits.Transforms;

namespace MlNetDigits.Tests.Display;

[Collection(nameof(DisplayFormatters))]
public sealed class DisplayFormattersTests
{
    private static readonly string SampleFolder = Path.Combine(AppContext.BaseDirectory, "data", "sample");

    private static MulticlassClassificationMetrics SmallMetrics() =>
        new DigitsContext(seed: 1).MulticlassClassification.Evaluate(ScoredData.WithUInt32Labels(
            [0, 0, 1, 1, 2, 2],
            [[0.8f, 0.1f, 0.1f], [0.3f, 0.6f, 0.1f], [0.1f, 0.7f, 0.2f], [0.2f, 0.7f, 0.1f], [0.1f, 0.1f, 0.8f], [0.5f, 0.2f, 0.3f]],
            ["zero", "one", "two"]));

    [Fact]
    public void DataView_ShowsTenRowsWithImagesAndTheRowCount()
    {
        var data = new DigitsContext(seed: 1).Data.LoadFromIdxFolder(SampleFolder, DatasetSplit.Test);

        var html = DisplayFormatters.Format(data)[MimeTypes.Html];

        var table = Markup.Parse(html).Element("table")!;
        Assert.Equal(["#", "LabelUInt32", "ImageVector<Single, 28, 28>"], table.Descendants("th").Select(th => th.Value));
        Assert.Equal(10, table.Element("tbody")!.Elements("tr").Count());
        var images = Markup.Images(html);
        Assert.Equal(10, images.Count);
        var first = PngDecoder.Decode(images[0]);
        Assert.Equal((28, 28), (first.Width, first.Height));
        Assert.Contains("10 of 1,000 rows", html);
    }

    [Fact]
    public void DataView_ImagePixelsSurviveTheInlinePng()
    {
        var data = new DigitsContext(seed: 1).Data.LoadFromIdxFolder(SampleFolder, DatasetSplit.Test);
        var pixels = ((VBuffer<float>)data.Preview(1).ColumnView.Single(c => c.Column.Name == "Image").Values[0]).ToArray();

        var decoded = PngDecoder.Decode(Markup.Images(DisplayFormatters.Format(data)[MimeTypes.Html])[0]);

        Assert.Equal(pixels, decoded.Pixels);
    }

    [Fact]
    public void DataView_KeyColumnShowsTheValueItStandsFor()
    {
        var context = new DigitsContext(seed: 1);
        var data = context.Data.LoadFromIdxFolder(SampleFolder, DatasetSplit.Test);
        var keyed = context.Transforms.MapValueToKey("Label", keyOrdinality: KeyOrdinality.ByValue).Fit(data).Transform(data);
        var firstLabel = (uint)data.Preview(1).ColumnView.Single(c => c.Column.Name == "Label").Values[0];

        var html = DisplayFormatters.Format(keyed.Preview(1))[MimeTypes.Html];

        var table = Markup.Parse(html).Element("table")!;
        var column = table.Descendants("th").Select(th => th.Value).ToList().FindIndex(h => h.StartsWith("Label", StringComparison.Ordinal));
        Assert.Equal("LabelKey<UInt32, 0-9>", table.Descendants("th").ElementAt(column).Value);
        Assert.Equal($"{firstLabel + 1} ({firstLabel})", table.Descendants("td").ElementAt(column).Value);
    }

    [Fact]
    public void Schema_ListsColumnsTypesAndAnnotations()
    {
        var data = new DigitsContext(seed: 1).Data.LoadFromIdxFolder(SampleFolder, DatasetSplit.Test);

        var rows = Markup.Parse(DisplayFormatters.Format(data.Schema)[MimeTypes.Html]).Descendants("tbody").Single().Elements("tr")
            .Select(tr => tr.Elements("td").Select(td => td.Value).ToArray()).ToArray();

        Assert.Equal(["Label", "UInt32", ""], rows[0]);
        Assert.Equal(["Image", "Vector<Single, 28, 28>", "ImageShape = [1, 28, 28]"], rows[1]);
    }

    [Fact]
    public void Metrics_ShowTheSummaryPerClassTableAndHeatmap()
    {
        var metrics = SmallMetrics();

        var html = DisplayFormatters.Format(metrics)[MimeTypes.Html];

        var cells = Markup.Parse(html).Descendants("td").Select(td => td.Value).ToList();
        var micro = cells.IndexOf("MicroAccuracy");
        Assert.Equal(metrics.MicroAccuracy.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture), cells[micro + 1]);
        Assert.Contains("ExpectedCalibrationError", cells);
        Assert.Contains("two", cells);
        Assert.Single(Markup.SvgDocuments(html));
        Assert.Equal(metrics.ToString(), DisplayFormatters.Format(metrics)[MimeTypes.PlainText]);
    }

    [Fact]
    public void ConfusionMatrix_HeatmapHasACellPerPairWithItsCount()
    {
        var matrix = new ConfusionMatrix([[5, 1, 0], [2, 7, 0], [0, 0, 3]], ["a", "b", "<c>"]);

        var html = DisplayFormatters.Format(matrix)[MimeTypes.Html];

        var svg = Assert.Single(Markup.SvgDocuments(html));
        var cells = svg.Elements(Markup.Svg + "rect").Where(r => r.Element(Markup.Svg + "title") is not null).ToList();
        Assert.Equal(9, cells.Count);
        Assert.Equal("actual b, predicted a: 2", cells[3].Element(Markup.Svg + "title")!.Value);
        var counts = svg.Elements(Markup.Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("<c>", counts); // escaped in the markup, read back intact
        Assert.Equal(["5", "1", "2", "7", "3"], counts.Where(t => int.TryParse(t, out _)));
        // Diagonal cells are shaded blue, confusions red, darker for a larger share of the row.
        Assert.StartsWith("#", cells[0].Attribute("fill")!.Value);
        Assert.NotEqual(cells[0].Attribute("fill")!.Value, cells[1].Attribute("fill")!.Value);
        Assert.Equal("#ffffff", cells[2].Attribute("fill")!.Value);
        var perClass = Markup.Parse(html).Descendants("tbody").Single().Elements("tr").First().Elements("td").Select(td => td.Value).ToArray();
        Assert.Equal(["a", "0.7143", "0.8333", "0.7692", "6"], perClass);
    }

    [Fact]
    public void DigitImage_PngRoundTripsThePixels()
    {
        var pixels = Enumerable.Range(0, 28 * 28).Select(i => (byte)(i % 256)).ToArray();

        var image = new DigitImage(pixels, caption: "ramp");

        Assert.Equal(pixels, PngDecoder.Decode(image.ToPng()).ToBytes());
        Assert.StartsWith("data:image/png;base64,", image.ToDataUri());
        var figure = Markup.Parse(image.ToHtml()).Element("figure")!;
        Assert.Equal("ramp", figure.Element("figcaption")!.Value);
        Assert.Equal("56", figure.Element("img")!.Attribute("width")!.Value);
    }

    [Theory]
    [InlineData(PixelRange.Auto, new float[] { 0, 0.5f, 1, 0.25f }, new byte[] { 0, 128, 255, 64 })]
    [InlineData(PixelRange.Auto, new float[] { 0, 100, 255, 3 }, new byte[] { 0, 100, 255, 3 })]
    [InlineData(PixelRange.Auto, new float[] { -1, 0, 1, 3 }, new byte[] { 0, 64, 128, 255 })]
    [InlineData(PixelRange.Stretch, new float[] { 10, 20, 30, 20 }, new byte[] { 0, 128, 255, 128 })]
    [InlineData(PixelRange.Bytes, new float[] { -5, 300, 12.4f, float.NaN }, new byte[] { 0, 255, 12, 0 })]
    public void DigitImage_FromFloatsMapsTheRangeTo0To255(PixelRange range, float[] pixels, byte[] expected)
    {
        Assert.Equal(expected, DigitImage.FromFloats(pixels, 2, 2, range: range).GetPixels());
    }

    [Fact]
    public void DigitImage_RefusesAWrongPixelCount()
    {
        var e = Assert.Throws<ArgumentException>(() => DigitImage.FromFloats(new float[10], 28, 28));
        Assert.Contains("needs 784 pixels; found 10", e.Message);
    }

    [Fact]
    public void DigitGrid_HasOneImagePerDigitAndRowLabels()
    {
        var digit = new DigitImage(new byte[4], 2, 2);
        var grid = new DigitGrid().AddRow("zeros", [digit, digit, digit]).AddRow("ones", [digit]);
        var wrapped = new DigitGrid(Enumerable.Repeat(digit, 23), columns: 10);

        var table = Markup.Parse(grid.ToHtml()).Element("table")!;

        Assert.Equal(["zeros", "ones"], table.Descendants("th").Select(th => th.Value));
        Assert.Equal(4, table.Descendants("img").Count());
        Assert.Equal([10, 10, 3], Markup.Parse(wrapped.ToHtml()).Descendants("tr").Select(tr => tr.Descendants("img").Count()));
        Assert.Equal(23, wrapped.Count);
    }

    [Fact]
    public void LineChart_DrawsAPolylinePerSeriesThroughItsPoints()
    {
        var chart = new LineChart("Loss & <accuracy>", "epoch", "value")
            .Add("train", [1.0, 0.5, 0.25])
            .Add("validation", [1, 2, 3], [1.2, double.NaN, 0.5], dashed: true);

        var svg = Assert.Single(Markup.SvgDocuments(DisplayFormatters.Format(chart)[MimeTypes.Html]));

        var lines = svg.Elements(Markup.Svg + "polyline").ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal(3, lines[0].Attribute("points")!.Value.Split(' ').Length);
        Assert.Equal(2, lines[1].Attribute("points")!.Value.Split(' ').Length); // NaN left out
        Assert.NotNull(lines[1].Attribute("stroke-dasharray"));
        Assert.Contains("Loss & <accuracy>", svg.Elements(Markup.Svg + "text").Select(t => t.Value));
        Assert.Contains("validation", svg.Elements(Markup.Svg + "text").Select(t => t.Value));
        // A larger y is drawn higher: the first training point sits above the last.
        var ys = lines[0].Attribute("points")!.Value.Split(' ').Select(p => double.Parse(p.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.True(ys[0] < ys[2]);
    }

    [Fact]
    public void LineChart_RefusesSeriesOfUnequalLength()
    {
        var e = Assert.Throws<ArgumentException>(() => new LineChart().Add("s", [1.0, 2.0], [1.0]));
        Assert.Contains("2 x values but 1 y values", e.Message);
    }

    [Fact]
    public void BarChart_DrawsOneBarPerLabelWithHeightsInProportion()
    {
        var chart = new BarChart(["0", "1", "2"], [10, 20, 5], title: "counts");

        var svg = Assert.Single(Markup.SvgDocuments(DisplayFormatters.Format(chart)[MimeTypes.Html]));

        var bars = svg.Elements(Markup.Svg + "rect").Where(r => r.Element(Markup.Svg + "title") is not null).ToList();
        Assert.Equal(["0: 10", "1: 20", "2: 5"], bars.Select(b => b.Element(Markup.Svg + "title")!.Value));
        var heights = bars.Select(b => double.Parse(b.Attribute("height")!.Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(2.0, heights[1] / heights[0], 2);
        Assert.Equal(0.5, heights[2] / heights[0], 2);
        Assert.Equal("BarChart 'counts': 0=10, 1=20, 2=5", DisplayFormatters.Format(chart)[MimeTypes.PlainText]);
    }

    [Fact]
    public void HtmlTable_FromObjectsHasAColumnPerPropertyAndRendersNestedHtml()
    {
        var rows = new[] { new { Name = "a<b", Score = 0.5, Picture = new DigitImage(new byte[4], 2, 2) } };

        var table = Markup.Parse(HtmlTable.From(rows).ToHtml()).Element("table")!;

        Assert.Equal(["Name", "Score", "Picture"], table.Descendants("th").Select(th => th.Value));
        var cells = table.Descendants("td").ToList();
        Assert.Equal("a<b", cells[0].Value);
        Assert.Equal("0.5000", cells[1].Value);
        Assert.NotNull(cells[2].Element("img"));
    }

    [Fact]
    public void HtmlTable_RefusesARowOfTheWrongLength()
    {
        var e = Assert.Throws<ArgumentException>(() => new HtmlTable(["a", "b"], [new object?[] { 1 }]));
        Assert.Contains("needs 2 cells", e.Message);
    }

    [Fact]
    public void PreprocessedDigit_ShowsEveryStep()
    {
        var drawing = new GrayImage(60, 40);
        for (int y = 5; y < 35; y++)
            for (int x = 20; x < 26; x++)
                drawing[x, y] = 255;

        var html = DisplayFormatters.Format(DigitPreprocessor.Preprocess(drawing))[MimeTypes.Html];

        var captions = Markup.Parse(html).Descendants("figcaption").Select(c => c.Value).ToList();
        Assert.Equal(5, captions.Count);
        Assert.Equal("input 60x40", captions[0]);
        Assert.StartsWith("ink box 6x30", captions[2]);
        Assert.Equal((28, 28), (PngDecoder.Decode(Markup.Images(html)[^1]).Width, PngDecoder.Decode(Markup.Images(html)[^1]).Height));
    }

    [Fact]
    public void SchemaShape_ListsThePredictedColumnsBeforeFitting()
    {
        var context = new DigitsContext(seed: 1);
        var data = context.Data.LoadFromIdxFolder(SampleFolder, DatasetSplit.Test);
        var shape = context.Transforms.MapValueToKey("Label").GetOutputSchema(Core.SchemaShape.Create(data.Schema));

        var rows = Markup.Parse(DisplayFormatters.Format(shape)[MimeTypes.Html]).Descendants("tbody").Single().Elements("tr")
            .Select(tr => tr.Elements("td").Select(td => td.Value).ToArray()).ToList();

        Assert.Contains(rows, r => r[0] == "Image" && r[1] == "Vector<Single, 28, 28>" && r[3] == "ImageShape");
        Assert.Contains(rows, r => r[0] == "Label" && r[2] == "count known after fitting" && r[3] == "KeyValues");
    }

    [Fact]
    public void DigitPrediction_ShowsTheModelInputTheAnswerAndABarPerClass()
    {
        var (pixels, label) = Prediction.PredictionTestModels.TestDigits(1)[0];
        using var classifier = MlNetDigits.Prediction.DigitClassifier.FromModel(Prediction.PredictionTestModels.SdcaModel.Model, Prediction.PredictionTestModels.SdcaModel.InputSchema);
        var prediction = classifier.Classify28x28(pixels);

        var html = DisplayFormatters.Format(prediction)[MimeTypes.Html];

        var caption = Markup.Parse(html).Descendants("figcaption").Single().Value;
        Assert.StartsWith($"{prediction.Digit} (", caption);
        Assert.Equal(label.ToString(System.Globalization.CultureInfo.InvariantCulture), prediction.Digit);
        var image = PngDecoder.Decode(Markup.Images(html).Single());
        Assert.Equal((28, 28), (image.Width, image.Height));
        var bars = Assert.Single(Markup.SvgDocuments(html)).Elements(Markup.Svg + "rect").Count(r => r.Element(Markup.Svg + "title") is not null);
        Assert.Equal(10, bars);
    }

    [Fact]
    public void Register_ANotebookFormatterIsUsedForItsType_AndTheLatestWins()
    {
        try
        {
            DisplayFormatters.Register<Thing>(t => $"<i>{t.Name}</i>");
            DisplayFormatters.Register<Thing>(t => $"<b>{t.Name}</b>");

            var formatted = DisplayFormatters.Format(new Thing("x"));

            Assert.Equal("<b>x</b>", formatted[MimeTypes.Html]);
            Assert.Equal("Thing { Name = x }", formatted[MimeTypes.PlainText]);
            Assert.Contains(DisplayFormatters.Registrations, r => r.Type == typeof(Thing));
        }
        finally
        {
            DisplayFormatters.Unregister(typeof(Thing));
        }
        Assert.False(DisplayFormatters.TryFormat(new Thing("x"), MimeTypes.Html, out _));
        Assert.Equal([MimeTypes.PlainText], DisplayFormatters.Format(new Thing("x")).Keys);
    }

    [Fact]
    public void Find_PrefersTheExactTypeOverABaseTypeRegistration()
    {
        try
        {
            DisplayFormatters.Register<Thing>(_ => "exact");
            DisplayFormatters.Register<object>(_ => "anything");

            Assert.Equal("exact", DisplayFormatters.Format(new Thing("x"))[MimeTypes.Html]);
            Assert.Equal("anything", DisplayFormatters.Format(new Uri("http://example.com"))[MimeTypes.Html]);
        }
        finally
        {
            DisplayFormatters.Unregister(typeof(Thing));
            DisplayFormatters.Unregister(typeof(object));
        }
    }

    [Fact]
    public void LibraryTypes_CarryDotNetInteractivesFormatterSourceConvention()
    {
        foreach (var type in new[] { typeof(ConfusionMatrix), typeof(MulticlassClassificationMetrics), typeof(DataDebuggerPreview), typeof(DataViewSchema), typeof(GrayImage), typeof(PreprocessedDigit), typeof(DigitImage), typeof(DigitGrid), typeof(LineChart), typeof(BarChart), typeof(HtmlTable) })
        {
            // Polyglot Notebooks matches the attribute by name and reads FormatterSourceType.
            var attribute = type.GetCustomAttributes(true).Single(a => a.GetType().Name == "TypeFormatterSourceAttribute");
            var sourceType = (Type)attribute.GetType().GetProperty("FormatterSourceType")!.GetValue(attribute)!;
            Assert.Equal(typeof(DisplayFormatterSource), sourceType);
        }

        var formatters = new DisplayFormatterSource().CreateTypeFormatters().Cast<DisplayFormatterSource.ConventionFormatter>().ToList();
        Assert.Equal([MimeTypes.Html, MimeTypes.PlainText], formatters.Select(f => f.MimeType));
        var writer = new StringWriter();
        Assert.True(formatters[0].Format(new ConfusionMatrix([[1, 0], [0, 1]], ["x", "y"]), writer));
        Assert.Contains("<svg", writer.ToString());
        Assert.False(formatters[0].Format(new Thing("not ours"), new StringWriter()));
    }

    private sealed record Thing(string Name);
}

using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace MlNetDigits.Cli.Tests.Commands;

/// <summary>
/// Checks a report folder: both documents exist, every chart under charts/ parses as SVG, every file they reference
/// exists, each learner has its confusion matrix, reliability diagram and gallery, and nothing is left half-written.
/// </summary>
internal static class ReportAssertions
{
    public static void AssertWellFormed(string folder, params string[] learners)
    {
        var html = Path.Combine(folder, "report.html");
        var markdown = Path.Combine(folder, "report.md");
        Assert.True(File.Exists(html), "report.html was not written");
        Assert.True(File.Exists(markdown), "report.md was not written");

        var svgs = Directory.GetFiles(Path.Combine(folder, "charts"), "*.svg");
        Assert.NotEmpty(svgs);
        foreach (var svg in svgs)
        {
            var doc = XDocument.Load(svg);
            Assert.Equal("svg", doc.Root!.Name.LocalName);
        }

        var htmlText = File.ReadAllText(html);
        var htmlRefs = Regex.Matches(htmlText, "(?:src|href)=\"([^\"]+)\"").Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
        var mdRefs = Regex.Matches(File.ReadAllText(markdown), @"!\[[^\]]*\]\(([^)]+)\)").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(htmlRefs);
        foreach (var reference in htmlRefs.Concat(mdRefs))
            Assert.True(File.Exists(Path.Combine(folder, reference)), $"the report references '{reference}', which does not exist");
        foreach (var learner in learners)
        {
            Assert.Contains(htmlRefs, r => r == $"charts/{learner}-confusion.svg");
            Assert.Contains(mdRefs, r => r == $"charts/{learner}-confusion.svg");
            Assert.Contains(htmlRefs, r => r == $"charts/{learner}-reliability.svg");
            Assert.Contains(htmlRefs, r => r.StartsWith($"misclassified/{learner}-", StringComparison.Ordinal) && r.EndsWith(".png", StringComparison.Ordinal));
        }

        // Gallery images are PNGs (signature) and nothing is left half-written.
        foreach (var png in Directory.GetFiles(Path.Combine(folder, "misclassified"), "*.png"))
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(png)[..4]);
        Assert.Empty(Directory.GetFiles(folder, "*.tmp", SearchOption.AllDirectories));
    }
}

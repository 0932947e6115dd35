namespace MlNetDigits.NotebookRunner.Tests;

public sealed class UnifiedDiffTests
{
    [Fact]
    public void Format_ShowsTheChangedLinesWithContextAndLabels()
    {
        var diff = UnifiedDiff.Format("a\nb\nc\nd\ne", "a\nb\nC\nd\ne", "old", "new");

        Assert.Equal("--- old\n+++ new\n@@ -1,5 +1,5 @@\n a\n b\n-c\n+C\n d\n e\n", diff);
    }

    [Fact]
    public void Format_IsEmptyForEqualTexts()
    {
        Assert.Equal("", UnifiedDiff.Format("same\ntext", "same\ntext", "old", "new"));
    }

    [Fact]
    public void Format_ShowsAWindowAroundTheFirstDifferenceOfALongLine()
    {
        var prefix = new string('x', 5000);
        var diff = UnifiedDiff.Format(prefix + "<b>41</b>" + prefix, prefix + "<b>42</b>" + prefix, "old", "new");

        var lines = diff.Split('\n');
        var removed = Assert.Single(lines, l => l.StartsWith('-') && !l.StartsWith("---", StringComparison.Ordinal));
        var added = Assert.Single(lines, l => l.StartsWith('+') && !l.StartsWith("+++", StringComparison.Ordinal));
        Assert.Matches("^-…x+<b>41</b>x+…$", removed);
        Assert.Matches("^\\+…x+<b>42</b>x+…$", added);
        Assert.InRange(removed.Length, 100, 220);
    }

    [Fact]
    public void Format_CutsLongRunsOfChangedLines()
    {
        var diff = UnifiedDiff.Format("start", "start\n" + string.Join("\n", Enumerable.Range(0, 50)), "old", "new", maxLines: 5);

        Assert.Contains("+ … 45 more lines", diff, StringComparison.Ordinal);
    }
}

namespace MlNetDigits.NotebookRunner.Tests;

public sealed class OutputNormalizerTests
{
    [Theory]
    [InlineData("trained in 12 s", "trained in <timing>")]
    [InlineData("trained in 1.5s.", "trained in <timing>.")]
    [InlineData("epoch 3: 1,234.5 ms", "epoch 3: <timing>")]
    [InlineData("kernel 3 µs, copy 4 us, call 5 ns", "kernel <timing>, copy <timing>, call <timing>")]
    [InlineData("took 2 seconds (0.5 min)", "took <timing> (<timing>)")]
    [InlineData("4,504 req/s and 1234.5 images/s", "<timing> and <timing>")]
    [InlineData("<td>5.6/s</td>", "<td><timing></td>")]
    [InlineData("elapsed 00:01:02.5000000", "elapsed <timing>")]
    public void MaskTimings_MasksNumbersFollowedByATimeUnitOrRate(string text, string expected)
    {
        Assert.Equal(expected, OutputNormalizer.MaskTimings(text));
    }

    [Theory]
    [InlineData("accuracy 91.9 %")]
    [InlineData("10 samples, 3 sets, 2 steps")]
    [InlineData("epoch 3/10")]
    [InlineData("v1.5 s")]
    [InlineData("Vector<Single, 28, 28>")]
    [InlineData("loss 0.231, 12 misclassified")]
    public void MaskTimings_LeavesOtherFiguresAlone(string text)
    {
        Assert.Equal(text, OutputNormalizer.MaskTimings(text));
    }

    [Theory]
    [InlineData("// notebook: outputs vary\nGuid.NewGuid()", true)]
    [InlineData("var seed = Environment.TickCount;\n    // Notebook: outputs vary (clock)\nseed", true)]
    [InlineData("Guid.NewGuid() // notebook: outputs vary", false)]
    [InlineData("1 + 1", false)]
    public void OutputsVary_IsTrueOnlyForALineStartingWithTheMarker(string source, bool expected)
    {
        Assert.Equal(expected, OutputNormalizer.OutputsVary(source));
    }
}

using MlNetDigits.Engine;
using MlNetDigits.Engine.Layers;
using MlNetDigits.Engine.Tests.Helpers;

namespace MlNetDigits.Engine.Tests;

public class StateDictionaryTests
{
    private static Sequential Net(ulong seed)
    {
        var rng = new Rng(seed);
        return new Sequential(new Conv2d(1, 3, 3, rng), new BatchNorm2d(3), new ReLU(), new Flatten(), new Dense(48, 4, rng), new BatchNorm1d(4));
    }

    [Fact]
    public void SaveThenLoad_RestoresParametersAndRunningStatistics()
    {
        var source = Net(1);
        source.Forward(TestData.Random(new Rng(2), 5, 1, 6, 6)); // updates running statistics
        using var stream = new MemoryStream();
        StateDictionary.Save(stream, source.StateDict());
        stream.Position = 0;
        var target = Net(99);
        target.LoadStateDict(StateDictionary.Load(stream));
        foreach (var ((name, expected), (_, actual)) in source.StateDict().Zip(target.StateDict()))
            Assert.True(expected.Data.AsSpan().SequenceEqual(actual.Data), $"{name} differs after loading");
        target.Eval();
        source.Eval();
        var x = TestData.Random(new Rng(3), 2, 1, 6, 6);
        Assert.Equal(source.Forward(x).Data, target.Forward(x).Data);
    }

    [Fact]
    public void Save_WritesTheDocumentedLittleEndianLayout()
    {
        using var stream = new MemoryStream();
        StateDictionary.Save(stream, [new("w", new Tensor([1.5f, -2f], 2))]);
        byte[] expected = [(byte)'M', (byte)'N', (byte)'S', (byte)'D', 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, (byte)'w', 1, 0, 0, 0, 2, 0, 0, 0,
            0, 0, 0xC0, 0x3F, 0, 0, 0, 0xC0];
        Assert.Equal(expected, stream.ToArray());
    }

    [Fact]
    public void Load_ThrowsGivenATruncatedStream()
    {
        using var stream = new MemoryStream();
        StateDictionary.Save(stream, Net(1).StateDict());
        var bytes = stream.ToArray()[..^10];
        var ex = Assert.Throws<InvalidDataException>(() => StateDictionary.Load(new MemoryStream(bytes)));
        Assert.Contains("truncated", ex.Message);
    }

    [Fact]
    public void LoadStateDict_ThrowsNamingTheEntry_GivenAWrongShape()
    {
        var state = Net(1).StateDict().ToDictionary(e => e.Key, e => e.Value);
        state["4.weight"] = new Tensor(4, 47);
        var ex = Assert.Throws<InvalidDataException>(() => Net(2).LoadStateDict(state));
        Assert.Contains("'4.weight' has shape (4, 47)", ex.Message);
        Assert.Contains("(4, 48)", ex.Message);
    }

    [Fact]
    public void LoadStateDict_ThrowsNamingTheMissingEntry()
    {
        var state = Net(1).StateDict().ToDictionary(e => e.Key, e => e.Value);
        state.Remove("1.running_var");
        var ex = Assert.Throws<InvalidDataException>(() => Net(2).LoadStateDict(state));
        Assert.Contains("no entry '1.running_var'", ex.Message);
    }

    [Fact]
    public void Load_ThrowsGivenANewerFormatVersion()
    {
        using var stream = new MemoryStream();
        StateDictionary.Save(stream, Net(1).StateDict());
        var bytes = stream.ToArray();
        bytes[4] = 9;
        var ex = Assert.Throws<InvalidDataException>(() => StateDictionary.Load(new MemoryStream(bytes)));
        Assert.Contains("version 9", ex.Message);
    }
}

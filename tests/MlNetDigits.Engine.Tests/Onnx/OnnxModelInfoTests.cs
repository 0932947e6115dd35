using MlNetDigits.Engine.Layers;
using MlNetDigits.Engine.Onnx;

namespace MlNetDigits.Engine.Tests.Onnx;

public class OnnxModelInfoTests
{
    private static byte[] Model(OnnxExportOptions? options = null)
    {
        var rng = new Rng(1);
        return OnnxExporter.Export(new Sequential(new Conv2d(1, 2, 3, rng), new Flatten(), new Dense(1352, 10, rng)), options);
    }

    [Fact]
    public void Read_DescribesWhatTheExporterWrote()
    {
        var metadata = new Dictionary<string, string> { ["labels"] = "0,1,2,3,4,5,6,7,8,9", ["preset"] = "fast", ["note"] = "" };
        var info = OnnxModelInfo.Read(Model(new OnnxExportOptions { Metadata = metadata, DocString = "Digits.", ProducerVersion = "9.8.7", IncludeFeatures = true }));

        Assert.Equal(8, info.IrVersion);
        Assert.Equal(new Dictionary<string, long> { [""] = 13 }, info.OpsetVersions);
        Assert.Equal("MlNetDigits", info.ProducerName);
        Assert.Equal("9.8.7", info.ProducerVersion);
        Assert.Equal("Digits.", info.DocString);
        Assert.Equal(metadata, info.Metadata);

        var input = Assert.Single(info.Inputs);
        Assert.Equal("Image: float (N, 1, 28, 28)", input.ToString());
        Assert.Equal([-1, 1, 28, 28], input.Dimensions!);
        Assert.Equal(["N", null, null, null], input.DimensionNames!);
        Assert.Equal(
            ["Logits: float (N, 10)", "Score: float (N, 10)", "PredictedIndex: int64 (N)", "PredictedOneHot: float (N, 10)", "Features: float (N, 1352)"],
            info.Outputs.Select(o => o.ToString()));
    }

    [Fact]
    public void Read_GivesTheEngineVersionAsProducerVersion_ByDefault()
    {
        var info = OnnxModelInfo.Read(Model());
        Assert.Equal(OnnxExportOptions.EngineVersion, info.ProducerVersion);
        Assert.Matches(@"^\d+\.\d+", info.ProducerVersion);
        Assert.Equal("", info.DocString);
        Assert.Empty(info.Metadata);
    }

    [Theory]
    [InlineData("the first byte")]
    [InlineData("the first half")]
    [InlineData("all but the last byte")]
    public void Read_ThrowsInvalidData_GivenTruncatedBytes(string kept)
    {
        var bytes = Model(new OnnxExportOptions { Metadata = new Dictionary<string, string> { ["k"] = "v" } });
        int keep = kept switch { "the first byte" => 1, "the first half" => bytes.Length / 2, _ => bytes.Length - 1 };
        var ex = Assert.Throws<InvalidDataException>(() => OnnxModelInfo.Read(bytes[..keep]));
        Assert.StartsWith("The bytes are not a valid ONNX model: the protobuf parser said", ex.Message);
    }

    [Fact]
    public void Read_ThrowsInvalidData_GivenGarbage()
    {
        var garbage = new byte[4096];
        var rng = new Rng(9);
        for (int i = 0; i < garbage.Length; i++)
            garbage[i] = (byte)rng.NextInt(256);
        var ex = Assert.Throws<InvalidDataException>(() => OnnxModelInfo.Read(garbage));
        Assert.StartsWith("The bytes are not a valid ONNX model", ex.Message);
    }

    [Fact]
    public void Read_ThrowsInvalidData_GivenBytesThatParseButHoldNoGraph()
    {
        var ex = Assert.Throws<InvalidDataException>(() => OnnxModelInfo.Read(Array.Empty<byte>()));
        Assert.Contains("hold no graph", ex.Message);
    }

    [Fact]
    public void Read_FromAStream_MatchesReadFromBytes()
    {
        var bytes = Model(new OnnxExportOptions { DocString = "stream" });
        using var stream = new MemoryStream(bytes);
        var info = OnnxModelInfo.Read(stream);
        Assert.Equal("stream", info.DocString);
        Assert.Equal(OnnxModelInfo.Read(bytes).Outputs.Select(o => o.ToString()), info.Outputs.Select(o => o.ToString()));
    }

    [Fact]
    public void ReadFile_ReadsAWrittenModel_AndNamesTheFileWhenItIsTruncated()
    {
        var folder = Directory.CreateTempSubdirectory("mlnd-onnx-");
        try
        {
            var path = Path.Combine(folder.FullName, "model.onnx");
            var bytes = Model(new OnnxExportOptions { DocString = "file" });
            File.WriteAllBytes(path, bytes);
            Assert.Equal("file", OnnxModelInfo.ReadFile(path).DocString);

            File.WriteAllBytes(path, bytes[..(bytes.Length / 3)]);
            var ex = Assert.Throws<InvalidDataException>(() => OnnxModelInfo.ReadFile(path));
            Assert.StartsWith($"The file '{path}' is not a valid ONNX model", ex.Message);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void ReadFile_ThrowsFileNotFound_NamingThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), "mlnd-no-such-model-" + Guid.NewGuid().ToString("N") + ".onnx");
        var ex = Assert.Throws<FileNotFoundException>(() => OnnxModelInfo.ReadFile(path));
        Assert.Equal(path, ex.FileName);
        Assert.Contains(path, ex.Message);
    }
}

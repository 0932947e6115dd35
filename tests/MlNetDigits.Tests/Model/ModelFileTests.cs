using System.IO.Compression;
using System.Text;
using System.Text.Json;
using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Model;
using MlNetDigits.Tests.Contracts;
using MlNetDigits.Tests.TestStages;

namespace MlNetDigits.Tests.Model;

public sealed class ModelFileTests : IDisposable
{
    private readonly DigitsContext _context = new(seed: 1);
    private readonly string _folder = Directory.CreateTempSubdirectory("mlnd-modelfile-").FullName;

    public ModelFileTests() => TestStageRegistration.Ensure();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private ITransformer LoadBytes(byte[] bytes) => _context.Model.Load(new MemoryStream(bytes), out _);

    [Fact]
    public void SaveThenLoad_GivesAChainWithIdenticalOutputs()
    {
        var (model, data) = TestModels.FittedChain();
        var path = PathOf("model.zip");

        _context.Model.Save(model, data.Schema, path);
        var loaded = _context.Model.Load(path, out var schema);

        var chain = Assert.IsType<TransformerChain<ITransformer>>(loaded);
        Assert.Equal(2, chain.Count);
        Assert.Equal(((TestScaleTransformer)model[0]).Scales, ((TestScaleTransformer)chain[0]).Scales);
        EstimatorContract.AssertSameData(model.Transform(data), loaded.Transform(data));
        Assert.Equal(EstimatorContract.Describe(data.Schema), EstimatorContract.Describe(schema));
    }

    [Fact]
    public void SaveThenLoad_ThroughStreams_LeavesTheStreamsOpen()
    {
        var (model, data) = TestModels.FittedChain();
        using var stream = new MemoryStream();

        _context.Model.Save(model, data.Schema, stream);
        Assert.True(stream.CanWrite);
        stream.Position = 0;
        var loaded = _context.Model.Load(stream, out _);

        Assert.True(stream.CanRead);
        EstimatorContract.AssertSameData(model.Transform(data), loaded.Transform(data));
    }

    [Fact]
    public void SaveThenLoad_RoundTripsTheInputSchemaWithItsAnnotations()
    {
        var keyValues = new VBuffer<string>(3, ["cat", "dog", "eel"]);
        var data = new InMemoryDataView.Builder()
            .AddScalar("Label", new KeyDataViewType(3), new uint[] { 1 },
                DataViewSchema.Annotations.Empty.With(AnnotationKinds.KeyValues, new VectorDataViewType(TextDataViewType.Instance, 3), keyValues))
            .AddVector("Image", new VectorDataViewType(NumberDataViewType.Single, 2, 3), new float[6],
                DataViewSchema.Annotations.Empty.WithImageShape(1, 2, 3))
            .AddVector("Features", new VectorDataViewType(NumberDataViewType.Single, 6), new float[6],
                DataViewSchema.Annotations.Empty.With(AnnotationKinds.SlotNames, new VectorDataViewType(TextDataViewType.Instance, 6),
                    new VBuffer<string>(6, ["a", "b", "c", "d", "e", "f"])))
            .AddScalar("Weight", NumberDataViewType.Double, new[] { 0.1 },
                DataViewSchema.Annotations.Empty.With(AnnotationKinds.IsNormalized, BooleanDataViewType.Instance, true))
            .Build();
        var model = new TestScaleEstimator("Scaled", "Features").Fit(data);
        using var stream = new MemoryStream();

        _context.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        _context.Model.Load(stream, out var schema);

        Assert.Equal(EstimatorContract.Describe(data.Schema), EstimatorContract.Describe(schema));
        Assert.True(schema["Label"].Annotations.TryGetValue<VBuffer<string>>(AnnotationKinds.KeyValues, out var names));
        Assert.Equal(["cat", "dog", "eel"], names.ToArray());
        Assert.Equal((1, 2, 3), schema["Image"].Annotations.GetImageShape());
        Assert.True(schema["Features"].Annotations.TryGetValue<VBuffer<string>>(AnnotationKinds.SlotNames, out var slots));
        Assert.Equal("f", slots.ToArray()[5]);
        Assert.True(schema["Weight"].Annotations.TryGetValue<bool>(AnnotationKinds.IsNormalized, out var normalized) && normalized);
    }

    [Fact]
    public void Save_WithoutInputSchema_LoadsWithAnEmptySchema()
    {
        var (model, data) = TestModels.FittedChain();
        using var stream = new MemoryStream();

        _context.Model.Save(model, null, stream);
        stream.Position = 0;
        var loaded = _context.Model.Load(stream, out var schema);

        Assert.Empty(schema);
        EstimatorContract.AssertSameData(model.Transform(data), loaded.Transform(data));
    }

    [Fact]
    public void Save_IsDeterministic_TheSameModelGivesTheSameBytes()
    {
        var (model, data) = TestModels.FittedChain();
        var first = PathOf("a.zip");
        var second = PathOf("b.zip");
        var third = PathOf("c.zip");

        _context.Model.Save(model, data.Schema, first);
        _context.Model.Save(model, data.Schema, second);
        // A loaded model saves back to the same bytes too.
        _context.Model.Save(_context.Model.Load(first, out var schema), schema, third);

        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(third));
    }

    [Fact]
    public void Save_WritesTheManifestFirstThenStageEntriesWithForwardSlashes()
    {
        var names = ZipEditing.ReadAll(TestModels.SavedChain()).Select(e => e.Name).ToList();

        Assert.Equal("manifest.json", names[0]);
        Assert.Equal(names.Skip(1).Order(StringComparer.Ordinal), names.Skip(1));
        Assert.All(names, n => Assert.DoesNotContain('\\', n));
        Assert.Contains("model/stage.json", names);
        Assert.Contains("model/chain.json", names);
        Assert.Contains("model/000/stage.json", names);
        Assert.Contains("model/000/scales.bin", names);
        Assert.Contains("model/001/argmax.json", names);
    }

    [Fact]
    public void Save_ManifestRecordsTheFormatVersionRootAndInputSchema()
    {
        var manifest = ZipEditing.ReadAll(TestModels.SavedChain()).Single(e => e.Name == "manifest.json").Data;
        using var json = JsonDocument.Parse(manifest);
        var root = json.RootElement;

        Assert.Equal("MlNetDigits.Model", root.GetProperty("Format").GetString());
        Assert.Equal(1, root.GetProperty("FormatVersion").GetInt32());
        Assert.Equal("model", root.GetProperty("Root").GetString());
        Assert.Matches(@"^\d+\.\d+\.\d+$", root.GetProperty("LibraryVersion").GetString());
        var columns = root.GetProperty("InputSchema").EnumerateArray().ToList();
        Assert.Equal(["Label", "Features"], columns.Select(c => c.GetProperty("Name").GetString()));
        Assert.Equal("Vector<Single, 2, 3>", columns[1].GetProperty("Type").GetString());
        var shape = columns[1].GetProperty("Annotations").EnumerateArray().Single();
        Assert.Equal("ImageShape", shape.GetProperty("Name").GetString());
        Assert.Equal(["1", "2", "3"], shape.GetProperty("Values").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public void Save_BinaryParametersUseTheDocumentedLittleEndianLayout()
    {
        var (model, _) = TestModels.FittedChain();
        var scales = ((TestScaleTransformer)model[0]).Scales;
        var bin = ZipEditing.ReadAll(TestModels.SavedChain()).Single(e => e.Name == "model/000/scales.bin").Data;

        // Int32 count, then the Single scales, little-endian.
        Assert.Equal(4 + 4 * scales.Count, bin.Length);
        Assert.Equal(scales.Count, System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bin));
        Assert.Equal(scales[0], System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(bin.AsSpan(4)));
    }

    [Fact]
    public void Save_LeavesAnExistingFileUntouchedAndNoTemporaryFile_WhenAStageFailsToSave()
    {
        var (model, data) = TestModels.FittedChain();
        var path = PathOf("model.zip");
        _context.Model.Save(model, data.Schema, path);
        var before = File.ReadAllBytes(path);
        var failing = new TransformerChain<ITransformer>(model[0], new ThrowingSaveTransformer());

        var e = Assert.Throws<IOException>(() => _context.Model.Save(failing, data.Schema, path));

        Assert.Contains("Simulated failure", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["model.zip"], Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void Save_RemovesItsTemporaryFile_WhenTheFinalRenameFails()
    {
        var (model, data) = TestModels.FittedChain();
        // The target is a folder: the temporary file is written, then the rename over it fails.
        var target = Directory.CreateDirectory(PathOf("taken")).FullName;

        Assert.ThrowsAny<Exception>(() => _context.Model.Save(model, data.Schema, target));

        Assert.Empty(Directory.GetFiles(_folder));
        Assert.True(Directory.Exists(target));
    }

    [Fact]
    public void Save_ReplacesAnExistingModel()
    {
        var (model, data) = TestModels.FittedChain();
        var path = PathOf("model.zip");
        File.WriteAllText(path, "an older file");

        _context.Model.Save(model, data.Schema, path);

        EstimatorContract.AssertSameData(model.Transform(data), _context.Model.Load(path, out _).Transform(data));
    }

    [Fact]
    public void Load_ThrowsInvalidModel_GivenAFileThatIsNotAZip()
    {
        var path = PathOf("notes.zip");
        File.WriteAllText(path, "These are not the bytes of a zip archive.");

        var e = Assert.Throws<InvalidModelException>(() => _context.Model.Load(path, out _));

        Assert.Contains("is not a valid zip archive", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Load_ThrowsInvalidModel_GivenATruncatedFile()
    {
        var bytes = TestModels.SavedChain();

        var e = Assert.Throws<InvalidModelException>(() => LoadBytes(bytes[..(bytes.Length / 2)]));

        Assert.Contains("not a valid zip archive (it may be truncated", e.Message);
    }

    [Fact]
    public void Load_ThrowsInvalidModel_GivenCorruptCompressedData()
    {
        var bytes = TestModels.SavedChain();
        var (offset, length) = ZipEditing.FindCompressedData(bytes, "model/000/scales.bin");
        for (int i = offset; i < offset + length; i++)
            bytes[i] ^= 0x5A;

        var e = Assert.Throws<InvalidModelException>(() => LoadBytes(bytes));

        Assert.Contains("'model/000/scales.bin'", e.Message);
        Assert.Contains("truncated or damaged", e.Message);
    }

    [Fact]
    public void Load_ThrowsInvalidModel_GivenAZipWithoutManifest()
    {
        var bytes = ZipEditing.Write(ZipEditing.ReadAll(TestModels.SavedChain()).Where(e => e.Name != "manifest.json"));

        var e = Assert.Throws<InvalidModelException>(() => LoadBytes(bytes));

        Assert.Contains("has no manifest.json", e.Message);
        Assert.Contains("not an MlNetDigits model file", e.Message);
    }

    [Fact]
    public void Load_ThrowsInvalidModel_GivenAManifestOfAnotherFormat()
    {
        var bytes = ZipEditing.Replace(TestModels.SavedChain(), "manifest.json",
            m => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(m).Replace("\"MlNetDigits.Model\"", "\"SomethingElse\"")));

        var e = Assert.Throws<InvalidModelException>(() => LoadBytes(bytes));

        Assert.Contains("does not name format 'MlNetDigits.Model'", e.Message);
    }

    [Fact]
    public void Load_ThrowsInvalidModel_GivenANewerFormatVersion()
    {
        // A newer writer may change everything but Format and FormatVersion: the message must still say "newer".
        var manifest = """{ "Format": "MlNetDigits.Model", "FormatVersion": 2, "LibraryVersion": "9.0.0", "Layout": "something new" }""";
        var bytes = ZipEditing.Replace(TestModels.SavedChain(), "manifest.json", _ => Encoding.UTF8.GetBytes(manifest));

        var e = Assert.Throws<InvalidModelException>(() => LoadBytes(bytes));

        Assert.Contains("saved by a newer MlNetDigits 9.0.0 (format 2)", e.Message);
        Assert.Contains("reads up to format 1", e.Message);
        Assert.Contains("Upgrade MlNetDigits", e.Message);
    }

    [Theory]
    [InlineData("../evil.txt")]
    [InlineData("model/../../evil.txt")]
    [InlineData("/etc/evil.txt")]
    [InlineData("model\\..\\evil.txt")]
    [InlineData("C:/evil.txt")]
    [InlineData("model/./stage.json")]
    public void Load_ThrowsInvalidModel_GivenAnEntryWhosePathEscapesItsFolder(string name)
    {
        var entries = ZipEditing.ReadAll(TestModels.SavedChain());
        entries.Add((name, Encoding.UTF8.GetBytes("payload")));

        var e = Assert.Throws<InvalidModelException>(() => LoadBytes(ZipEditing.Write(entries)));

        Assert.Contains($"entry '{name}'", e.Message);
        Assert.Contains("escapes its folder", e.Message);
    }

    [Fact]
    public void Load_ThrowsInvalidModel_GivenADuplicateEntry()
    {
        var entries = ZipEditing.ReadAll(TestModels.SavedChain());
        entries.Add(entries[1]);

        var e = Assert.Throws<InvalidModelException>(() => LoadBytes(ZipEditing.Write(entries)));

        Assert.Contains("twice", e.Message);
    }

    [Fact]
    public void Load_ThrowsInvalidModel_GivenAnUnknownStageKind()
    {
        var bytes = ZipEditing.Replace(TestModels.SavedChain(), "model/001/stage.json",
            s => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(s).Replace("Test.ArgMax", "NoSuchStage")));

        var e = Assert.Throws<InvalidModelException>(() => LoadBytes(bytes));

        Assert.Contains("'model/001'", e.Message);
        Assert.Contains("kind 'NoSuchStage'", e.Message);
        Assert.Contains("does not know", e.Message);
    }

    [Fact]
    public void Load_ThrowsInvalidModel_GivenATruncatedStageEntry()
    {
        var bytes = ZipEditing.Replace(TestModels.SavedChain(), "model/000/scales.bin", b => b[..^2]);

        var e = Assert.Throws<InvalidModelException>(() => LoadBytes(bytes));

        Assert.Contains("'model/000/scales.bin' is truncated", e.Message);
    }

    [Fact]
    public void Load_ThrowsInvalidModel_GivenAStageEntryWithExtraBytes()
    {
        var bytes = ZipEditing.Replace(TestModels.SavedChain(), "model/000/scales.bin", b => [.. b, 1, 2, 3]);

        var e = Assert.Throws<InvalidModelException>(() => LoadBytes(bytes));

        Assert.Contains("3 unexpected bytes", e.Message);
    }

    [Fact]
    public void Load_RefusesAFileThatExpandsBeyondTheSizeCap()
    {
        // 4 MiB of zeros compress to a few KiB: with a 1 MiB cap the reader must stop while inflating.
        var entries = ZipEditing.ReadAll(TestModels.SavedChain());
        entries.Add(("model/padding.bin", new byte[4 << 20]));
        var bytes = ZipEditing.Write(entries);
        Assert.True(bytes.Length < 64 << 10);

        var e = Assert.Throws<InvalidModelException>(() =>
            ModelFile.Read(new MemoryStream(bytes), "bomb.zip", out _, maxTotalBytes: 1 << 20));

        Assert.Contains("expands beyond 1048576 bytes", e.Message);
        Assert.Contains("zip bomb", e.Message);
    }

    [Fact]
    public void Load_ThrowsFileNotFound_GivenAMissingFile()
    {
        Assert.Throws<FileNotFoundException>(() => _context.Model.Load(PathOf("absent.zip"), out _));
    }

    [Fact]
    public void ZipEntries_CarryAFixedTimestamp()
    {
        using var zip = new ZipArchive(new MemoryStream(TestModels.SavedChain()), ZipArchiveMode.Read);

        Assert.All(zip.Entries, e => Assert.Equal(new DateTime(1980, 1, 1), e.LastWriteTime.DateTime));
    }

    [Fact]
    public void Load_EitherLoadsOrThrowsInvalidModel_GivenAnySingleByteDamage()
    {
        // Seeded fuzzing: damage one byte at a time anywhere in the file; nothing but InvalidModelException may escape.
        var original = TestModels.SavedChain();
        var random = new Random(7);
        var failures = new List<string>();
        int rejected = 0;
        for (int trial = 0; trial < 300; trial++)
        {
            var bytes = (byte[])original.Clone();
            var at = random.Next(bytes.Length);
            bytes[at] ^= (byte)(1 + random.Next(255));
            try
            {
                LoadBytes(bytes);
            }
            catch (InvalidModelException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                failures.Add($"byte {at}: {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Distinct().Take(10)));
        Assert.True(rejected > 150, $"Only {rejected} of 300 damaged files were rejected.");
    }

    [Fact]
    public void Load_EitherLoadsOrThrowsInvalidModel_GivenAnySingleByteDamageInsideAnEntry()
    {
        // Seeded fuzzing of the entries' content (manifest, stage headers, sidecars, binaries), re-zipped so the zip is sound.
        var entries = ZipEditing.ReadAll(TestModels.SavedChain());
        var random = new Random(3);
        var failures = new List<string>();
        for (int trial = 0; trial < 400; trial++)
        {
            var which = random.Next(entries.Count);
            var data = (byte[])entries[which].Data.Clone();
            var at = random.Next(data.Length);
            data[at] ^= (byte)(1 + random.Next(255));
            var bytes = ZipEditing.Write(entries.Select((e, i) => i == which ? (e.Name, data) : e));
            try
            {
                LoadBytes(bytes);
            }
            catch (InvalidModelException)
            {
            }
            catch (Exception e)
            {
                failures.Add($"{entries[which].Name} byte {at}: {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Distinct().Take(10)));
    }
}

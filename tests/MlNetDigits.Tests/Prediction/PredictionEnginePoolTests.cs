using System.Collections.Concurrent;
using static MlNetDigits.Tests.TestModels;

namespace MlNetDigits.Tests;

public sealed class PredictionEnginePoolTests : IDisposable
{
    private readonly string _folder = TempFolder();

    public sealed class DigitInput
    {
        public uint Label { get; set; }

        [VectorType(28, 28)]
        public float[] Image { get; set; } = [];
    }

    public sealed class DigitOutput
    {
        public float[] Score { get; set; } = [];
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static PredictionEnginePoolOptions FastReload() => new()
    {
        ReloadDebounce = TimeSpan.FromMilliseconds(50),
        PollingInterval = TimeSpan.FromMilliseconds(100),
    };

    private string WriteModel(byte[] bytes, string name = "model.zip")
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Replaces the file the way Model.Save does: write a temporary file, then rename it over the model.</summary>
    private static void ReplaceAtomically(string path, byte[] bytes)
    {
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
    }

    [Fact]
    public void Predict_FromManyThreads_GivesTheSingleThreadedResults()
    {
        using var pool = PredictionEnginePool<DigitInput, DigitOutput>.FromFile(WriteModel(SdcaModel.FileBytes));
        var inputs = TestDigits(300).Select(d => new DigitInput { Image = d.Pixels }).ToArray();
        var expected = inputs.Select(i => pool.Predict(i).Score).ToArray();

        var results = new float[8][][];
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            var random = new Random(t);
            var mine = new float[inputs.Length][];
            foreach (var i in Enumerable.Range(0, inputs.Length).OrderBy(_ => random.Next()))
                mine[i] = pool.Predict(inputs[i]).Score;
            results[t] = mine;
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        foreach (var mine in results)
            for (int i = 0; i < inputs.Length; i++)
                Assert.Equal(expected[i], mine[i]);
    }

    [Fact]
    public void GetPredictionEngine_LendsDistinctEnginesAndReusesReturnedOnes()
    {
        using var pool = new PredictionEnginePool<DigitInput, DigitOutput>(SdcaModel.Model, SdcaModel.InputSchema);
        Assert.Equal([PredictionEnginePool<DigitInput, DigitOutput>.DefaultModelName], pool.ModelNames);
        var a = pool.GetPredictionEngine();
        var b = pool.GetPredictionEngine();
        Assert.NotSame(a, b);
        pool.ReturnPredictionEngine(a);
        Assert.Same(a, pool.GetPredictionEngine());
    }

    [Fact]
    public async Task FromFile_WatchingForChanges_PicksUpAReplacedModelWithoutFailingInFlightPredictions()
    {
        var path = WriteModel(SdcaModel.FileBytes);
        var replacement = RescaledModelBytes(2f / 255);
        using var pool = PredictionEnginePool<DigitInput, DigitOutput>.FromFile(path, watchForChanges: true, FastReload());
        var input = new DigitInput { Image = TestDigits(1)[0].Pixels };
        var before = pool.Predict(input).Score;
        var firstVersion = pool.GetLoadedModel().Version;
        using var reloaded = new ManualResetEventSlim();
        pool.ModelReloaded += (_, e) => reloaded.Set();

        // Threads predict continuously while the file is replaced; none may fail and each result is one model's or the other's.
        var errors = new ConcurrentQueue<Exception>();
        var seen = new ConcurrentQueue<float[]>();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    seen.Enqueue(pool.Predict(input).Score);
                }
                catch (Exception e)
                {
                    errors.Enqueue(e);
                }
            }
        })).ToArray();
        Thread.Sleep(100);
        ReplaceAtomically(path, replacement);
        Assert.True(reloaded.Wait(TimeSpan.FromSeconds(15)), "The replaced model file was not reloaded within 15 s.");
        Thread.Sleep(100);
        stop.Cancel();
        await Task.WhenAll(workers);

        var after = pool.Predict(input).Score;
        Assert.Empty(errors);
        Assert.NotEqual(before, after);
        Assert.NotEqual(firstVersion, pool.GetLoadedModel().Version);
        Assert.All(seen, s => Assert.True(s.SequenceEqual(before) || s.SequenceEqual(after), "A prediction matched neither model."));
        Assert.Contains(seen, s => s.SequenceEqual(after));
    }

    [Fact]
    public void FromFile_WatchingForChanges_KeepsTheOldModelWhenTheNewFileIsCorrupt()
    {
        var path = WriteModel(SdcaModel.FileBytes);
        using var pool = PredictionEnginePool<DigitInput, DigitOutput>.FromFile(path, watchForChanges: true, FastReload());
        var input = new DigitInput { Image = TestDigits(1)[0].Pixels };
        var before = pool.Predict(input).Score;
        using var failed = new ManualResetEventSlim();
        ModelReloadFailedEventArgs? failure = null;
        pool.ModelReloadFailed += (_, e) =>
        {
            failure = e;
            failed.Set();
        };

        ReplaceAtomically(path, SdcaModel.FileBytes.AsSpan(0, SdcaModel.FileBytes.Length / 2).ToArray());
        Assert.True(failed.Wait(TimeSpan.FromSeconds(15)), "The corrupt replacement was not reported within 15 s.");

        Assert.IsType<InvalidModelException>(failure!.Error);
        Assert.Equal(path, failure.FilePath);
        Assert.Equal(before, pool.Predict(input).Score);
        Assert.Equal(LoadedModelVersion(SdcaModel.FileBytes), pool.GetLoadedModel().Version);
    }

    [Fact]
    public void FromFile_WithoutFileSystemEvents_NoticesAReplacedModelByPolling()
    {
        var path = WriteModel(SdcaModel.FileBytes);
        var options = FastReload();
        options.UseFileSystemEvents = false;
        var logger = new ListLogger();
        using var pool = PredictionEnginePool<DigitInput, DigitOutput>.FromFile(path, watchForChanges: true, options, logger);
        using var reloaded = new ManualResetEventSlim();
        var loggedBeforeTheEvent = false;
        pool.ModelReloaded += (_, _) =>
        {
            // The event wakes the test thread, so the log line must already be written when it fires.
            loggedBeforeTheEvent = logger.Messages.Any(m => m.Contains("reloaded", StringComparison.Ordinal));
            reloaded.Set();
        };
        var input = new DigitInput { Image = TestDigits(1)[0].Pixels };
        var before = pool.Predict(input).Score;

        File.WriteAllBytes(path, RescaledModelBytes(2f / 255));
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(5));
        Assert.True(reloaded.Wait(TimeSpan.FromSeconds(15)), "Polling did not notice the replaced model within 15 s.");
        Assert.NotEqual(before, pool.Predict(input).Score);
        Assert.True(loggedBeforeTheEvent, "The reload was not logged before ModelReloaded was raised.");
    }

    [Fact]
    public void Reload_RefusesAModelWithoutTheOutputColumnsAndKeepsServing()
    {
        var path = WriteModel(SdcaModel.FileBytes);
        using var pool = PredictionEnginePool<DigitInput, DigitOutput>.FromFile(path);
        var input = new DigitInput { Image = TestDigits(1)[0].Pixels };
        var before = pool.Predict(input).Score;
        var ml = new MLContext(seed: 1);
        var scaleOnly = ml.Transforms.NormalizeMinMax("Features", "Image").Fit(TestData());
        File.WriteAllBytes(path, Save(ml, scaleOnly, SdcaModel.InputSchema));

        var e = Assert.Throws<ArgumentException>(() => pool.Reload());
        Assert.Contains("Score", e.Message);
        Assert.Equal(before, pool.Predict(input).Score);
    }

    [Fact]
    public void Reload_ReturnsFalseWhenTheFileContentIsUnchanged()
    {
        var path = WriteModel(SdcaModel.FileBytes);
        using var pool = PredictionEnginePool<DigitInput, DigitOutput>.FromFile(path);
        File.WriteAllBytes(path, SdcaModel.FileBytes);
        Assert.False(pool.Reload());
        File.WriteAllBytes(path, RescaledModelBytes(3f / 255));
        Assert.True(pool.Reload());
    }

    [Fact]
    public void EnginesBorrowedBeforeAReload_KeepTheirModelAndAreDroppedWhenReturned()
    {
        var path = WriteModel(SdcaModel.FileBytes);
        using var pool = PredictionEnginePool<DigitInput, DigitOutput>.FromFile(path);
        var input = new DigitInput { Image = TestDigits(1)[0].Pixels };
        var borrowed = pool.GetPredictionEngine();
        var before = borrowed.Predict(input).Score;
        File.WriteAllBytes(path, RescaledModelBytes(2f / 255));
        Assert.True(pool.Reload());

        Assert.Equal(before, borrowed.Predict(input).Score);
        pool.ReturnPredictionEngine(borrowed);
        var fresh = pool.GetPredictionEngine();
        Assert.NotSame(borrowed, fresh);
        Assert.NotEqual(before, fresh.Predict(input).Score);
    }

    [Fact]
    public void FromFile_ThrowsNamingTheFileWhenItIsMissing()
    {
        var missing = Path.Combine(_folder, "nope.zip");
        var e = Assert.Throws<FileNotFoundException>(() => PredictionEnginePool<DigitInput, DigitOutput>.FromFile(missing));
        Assert.Contains(missing, e.Message);
    }

    [Fact]
    public void NamedModels_AreServedSideBySide_AndAnUnknownNameIsRefusedListingTheNames()
    {
        using var pool = new PredictionEnginePool<DigitInput, DigitOutput>();
        pool.AddModelFromFile("sdca", WriteModel(SdcaModel.FileBytes, "sdca.zip"));
        pool.AddModelFromFile("cnn", WriteModel(CnnModel.FileBytes, "cnn.zip"));
        var input = new DigitInput { Image = TestDigits(1)[0].Pixels };

        Assert.Equal(["sdca", "cnn"], pool.ModelNames);
        Assert.Equal(10, pool.Predict("sdca", input).Score.Length);
        Assert.NotEqual(pool.Predict("sdca", input).Score, pool.Predict("cnn", input).Score);
        Assert.Equal("cnn", pool.GetLoadedModel("cnn").Name);
        var e = Assert.Throws<ArgumentException>(() => pool.Predict("best", input));
        Assert.Contains("'sdca', 'cnn'", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => pool.AddModelFromFile("cnn", Path.Combine(_folder, "cnn.zip")));
    }

    [Fact]
    public void EnginesBeyondTheRetainedNumber_AreDroppedWithoutBreakingTheModel()
    {
        // ML.NET's PredictionEngine.Dispose disposes the model's ONNX session too: a dropped engine must not take it along.
        using var pool = PredictionEnginePool<DigitInput, DigitOutput>.FromFile(WriteModel(CnnModel.FileBytes),
            options: new PredictionEnginePoolOptions { MaximumRetainedEngines = 1 });
        var input = new DigitInput { Image = TestDigits(1)[0].Pixels };
        var expected = pool.Predict(input).Score;

        var borrowed = Enumerable.Range(0, 3).Select(_ => pool.GetPredictionEngine()).ToList();
        borrowed.ForEach(pool.ReturnPredictionEngine);
        for (int i = 0; i < 10; i++)
            Assert.Equal(expected, pool.Predict(input).Score);
    }

    [Fact]
    public void ReturnPredictionEngine_OfAnEngineNotOnLoan_Throws()
    {
        using var pool = new PredictionEnginePool<DigitInput, DigitOutput>(SdcaModel.Model, SdcaModel.InputSchema);
        var engine = pool.GetPredictionEngine();
        pool.ReturnPredictionEngine(engine);

        Assert.Throws<ArgumentException>(() => pool.ReturnPredictionEngine(engine));
    }

    [Fact]
    public void OnnxIntraOpThreads_OneOrOnnxRuntimesDefault_GiveTheSameProbabilities()
    {
        var path = WriteModel(CnnModel.FileBytes);
        using var single = PredictionEnginePool<DigitInput, DigitOutput>.FromFile(path, options: new() { OnnxIntraOpThreads = 1 });
        using var ortDefault = PredictionEnginePool<DigitInput, DigitOutput>.FromFile(path, options: new() { OnnxIntraOpThreads = null });

        foreach (var digit in TestDigits(50))
        {
            var input = new DigitInput { Image = digit.Pixels };
            var a = single.Predict(input).Score;
            var b = ortDefault.Predict(input).Score;
            Assert.Equal(a.Length, b.Length);
            for (int k = 0; k < a.Length; k++)
                Assert.Equal(b[k], a[k], 1e-6);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void OnnxIntraOpThreads_BelowOne_IsRefusedNamingIt(int threads)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new PredictionEnginePool<DigitInput, DigitOutput>(new PredictionEnginePoolOptions { OnnxIntraOpThreads = threads }));

        Assert.Contains("OnnxIntraOpThreads", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HundredReloadsOfACnn_DoNotLeakThreads()
    {
        // Every loaded CNN holds an ONNX Runtime session; a replaced model must release it once its engines are back.
        var path = WriteModel(CnnModel.FileBytes);
        using var pool = PredictionEnginePool<DigitInput, DigitOutput>.FromFile(path);
        var input = new DigitInput { Image = TestDigits(1)[0].Pixels };
        pool.Predict(input);
        byte[][] versions = [CnnModel.FileBytes, Touched(CnnModel.FileBytes)];
        for (int i = 0; i < 10; i++)
        {
            File.WriteAllBytes(path, versions[(i + 1) % 2]);
            Assert.True(pool.Reload());
            pool.Predict(input);
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        int before = System.Diagnostics.Process.GetCurrentProcess().Threads.Count;

        for (int i = 10; i < 110; i++)
        {
            File.WriteAllBytes(path, versions[(i + 1) % 2]);
            Assert.True(pool.Reload());
            pool.Predict(input);
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        int after = System.Diagnostics.Process.GetCurrentProcess().Threads.Count;

        Assert.True(after <= before + 4, $"{before} threads before 100 reloads, {after} after.");
    }

    /// <summary>The same model file with one more (ignored) zip entry: a new file content, hence a new model version.</summary>
    private static byte[] Touched(byte[] zipBytes)
    {
        var stream = new MemoryStream();
        stream.Write(zipBytes);
        using (var zip = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Update, leaveOpen: true))
        using (var writer = new StreamWriter(zip.CreateEntry("TrainingInfo/touched.txt").Open()))
            writer.Write("touched");
        return stream.ToArray();
    }

    private static string LoadedModelVersion(byte[] bytes) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))[..12];
}

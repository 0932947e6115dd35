using static MlNetDigits.Tests.ImageClassificationTestData;

namespace MlNetDigits.Tests;

public sealed class ImageClassificationCheckpointTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mlnd-cnn-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Every random and stateful part on: shuffling, augmentation, dropout, batch norm, Adam state, a per-batch schedule.</summary>
    private static ImageClassificationTrainer.Options Options()
    {
        var options = TinyOptions(epochs: 3, layers: TinyBatchNormLayers);
        options.Shuffle = true;
        options.Augmentation = new ImageAugmentationOptions();
        options.LearningRateSchedule = "onecycle";
        options.EarlyStoppingCriteria = new EarlyStoppingOptions { Patience = 5 };
        return options;
    }

    [Fact]
    public void ResumeFrom_AfterCancellation_EqualsAnUninterruptedRunBitForBit()
    {
        var data = Keyed(300);
        var uninterrupted = Trainer(Options()).Fit(data);

        // Cancel as soon as epoch 1 is reported: training stops at the next batch, the epoch-1 checkpoint stays.
        using var cancel = new CancellationTokenSource();
        var first = Options();
        first.WorkspacePath = _folder;
        first.CancellationToken = cancel.Token;
        first.MetricsCallback = r =>
        {
            if (r.Kind == TrainingProgressKind.Epoch && r.Epoch == 1)
                cancel.Cancel();
        };
        var trainer = Trainer(first);
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(data));
        Assert.Equal(1, TrainingCheckpoint.Load(Path.Combine(_folder, TrainingCheckpoint.FileName)).Epoch);

        var second = Options();
        second.ResumeFrom = _folder;
        var resumed = Trainer(second).Fit(data);

        ImageClassificationTrainerTests.AssertSameWeights(uninterrupted, resumed);
        Assert.Equal(uninterrupted.History.Select(e => e with { Seconds = 0 }), resumed.History.Select(e => e with { Seconds = 0 }));
        Assert.Equal(uninterrupted.Temperature, resumed.Temperature);
    }

    [Fact]
    public void Cancellation_MidEpoch_ThrowsAndKeepsTheLastCompleteCheckpoint()
    {
        using var cancel = new CancellationTokenSource();
        var options = Options();
        options.WorkspacePath = _folder;
        options.ProgressInterval = 2;
        options.CancellationToken = cancel.Token;
        options.MetricsCallback = r =>
        {
            if (r.Kind == TrainingProgressKind.Batch && r.Epoch == 2 && r.Batch == 4)
                cancel.Cancel();
        };
        var trainer = Trainer(options);

        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(Keyed(300)));

        var file = Path.Combine(_folder, TrainingCheckpoint.FileName);
        Assert.True(File.Exists(file));
        Assert.False(File.Exists(file + ".tmp"));
        var checkpoint = TrainingCheckpoint.Load(file);
        Assert.Equal(1, checkpoint.Epoch);
        Assert.Single(checkpoint.History);
        Assert.Equal(checkpoint.Settings.Layers, TinyBatchNormLayers);
        // The checkpoint is usable: a run resumed from it finishes.
        var resume = Options();
        resume.ResumeFrom = file;
        var model = Trainer(resume).Fit(Keyed(300));
        Assert.Equal(3, model.History.Count);
    }

    [Fact]
    public void ResumeFrom_WithOtherSettings_ThrowsNamingTheDifference()
    {
        var options = TinyOptions(epochs: 1);
        options.WorkspacePath = _folder;
        Trainer(options).Fit(Keyed(100));

        var other = TinyOptions(epochs: 2);
        other.BatchSize = 16;
        other.ResumeFrom = _folder;
        var e = Assert.Throws<ArgumentException>(() => Trainer(other).Fit(Keyed(100)));
        Assert.Contains("BatchSize: checkpoint 32, now 16", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResumeFrom_AFileThatIsNotACheckpoint_ThrowsInvalidData()
    {
        Directory.CreateDirectory(_folder);
        var file = Path.Combine(_folder, "junk.zip");
        File.WriteAllText(file, "not a zip");
        var options = TinyOptions(epochs: 1);
        options.ResumeFrom = file;

        var e = Assert.Throws<InvalidDataException>(() => Trainer(options).Fit(Keyed(100)));
        Assert.Contains("not a valid training checkpoint", e.Message, StringComparison.Ordinal);
    }
}

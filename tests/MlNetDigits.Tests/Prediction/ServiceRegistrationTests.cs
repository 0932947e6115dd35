using Microsoft.Extensions.DependencyInjection;
using MlNetDigits.Data;
using MlNetDigits.Prediction;
using static MlNetDigits.Tests.Prediction.PredictionTestModels;

namespace MlNetDigits.Tests.Prediction;

public sealed class ServiceRegistrationTests
{
    public sealed class DigitInput
    {
        [VectorType(28, 28)]
        public float[] Image { get; set; } = [];
    }

    public sealed class DigitOutput
    {
        public float[] Score { get; set; } = [];
    }

    [Fact]
    public void AddPredictionEnginePool_FromFile_ResolvesOneWatchingPoolThatPredicts()
    {
        var folder = TempFolder();
        try
        {
            var path = Path.Combine(folder, "model.zip");
            File.WriteAllBytes(path, SdcaModel.FileBytes);
            var services = new ServiceCollection();
            services.AddPredictionEnginePool<DigitInput, DigitOutput>().FromFile(path, watchForChanges: true);
            using (var provider = services.BuildServiceProvider())
            {
                var pool = provider.GetRequiredService<PredictionEnginePool<DigitInput, DigitOutput>>();
                Assert.Same(pool, provider.GetRequiredService<PredictionEnginePool<DigitInput, DigitOutput>>());
                Assert.True(pool.IsWatching);
                Assert.Equal(path, pool.CurrentModel.FilePath);
                var (pixels, label) = TestDigits(1)[0];
                var scores = pool.Predict(new DigitInput { Image = pixels }).Score;
                Assert.Equal(label.ToString(System.Globalization.CultureInfo.InvariantCulture), pool.ClassNames![Array.IndexOf(scores, scores.Max())]);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void AddPredictionEnginePool_WithoutASource_ThrowsSayingWhatToChain()
    {
        var services = new ServiceCollection();
        services.AddPredictionEnginePool<DigitInput, DigitOutput>();
        using var provider = services.BuildServiceProvider();
        var e = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<PredictionEnginePool<DigitInput, DigitOutput>>());
        Assert.Contains(".FromFile(path)", e.Message);
    }

    [Fact]
    public void AddDigitClassifier_ResolvesASingletonClassifier()
    {
        var folder = TempFolder();
        try
        {
            var path = Path.Combine(folder, "sdca.zip");
            File.WriteAllBytes(path, SdcaModel.FileBytes);
            var services = new ServiceCollection();
            services.AddDigitClassifier(path, watchForChanges: false, o => o.ConfidenceThreshold = 0.5f);
            using var provider = services.BuildServiceProvider();
            var classifier = provider.GetRequiredService<DigitClassifier>();
            Assert.Same(classifier, provider.GetRequiredService<DigitClassifier>());
            var (pixels, label) = TestDigits(1)[0];
            Assert.Equal(label.ToString(System.Globalization.CultureInfo.InvariantCulture), classifier.Classify28x28(pixels).Digit);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

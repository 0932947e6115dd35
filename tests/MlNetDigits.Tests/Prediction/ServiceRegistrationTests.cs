using Microsoft.Extensions.DependencyInjection;
using static MlNetDigits.Tests.TestModels;

namespace MlNetDigits.Tests;

public sealed class ServiceRegistrationTests
{
    public sealed class DigitInput
    {
        public uint Label { get; set; }

        [VectorType(28, 28)]
        public float[] Image { get; set; } = [];
    }

    public sealed class DigitOutput
    {
        public float[] Score { get; set; } = [];

        public uint PredictedLabel { get; set; }
    }

    [Fact]
    public void AddPredictionEnginePool_FromFile_ResolvesOnePoolServingTheNamedModels()
    {
        var folder = TempFolder();
        try
        {
            var sdca = Path.Combine(folder, "sdca.zip");
            var cnn = Path.Combine(folder, "cnn.zip");
            File.WriteAllBytes(sdca, SdcaModel.FileBytes);
            File.WriteAllBytes(cnn, CnnModel.FileBytes);
            var services = new ServiceCollection();
            services.AddPredictionEnginePool<DigitInput, DigitOutput>()
                .FromFile(modelName: "sdca", filePath: sdca, watchForChanges: true)
                .FromFile(modelName: "cnn", filePath: cnn, watchForChanges: false);
            using (var provider = services.BuildServiceProvider())
            {
                var pool = provider.GetRequiredService<PredictionEnginePool<DigitInput, DigitOutput>>();
                Assert.Same(pool, provider.GetRequiredService<PredictionEnginePool<DigitInput, DigitOutput>>());
                Assert.Equal(["sdca", "cnn"], pool.ModelNames);
                Assert.Equal(sdca, pool.GetLoadedModel("sdca").FilePath);
                var (pixels, label) = TestDigits(1)[0];
                Assert.Equal(label, pool.Predict("sdca", new DigitInput { Image = pixels }).PredictedLabel);
                Assert.Equal(label, pool.Predict("cnn", new DigitInput { Image = pixels }).PredictedLabel);
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
        Assert.Contains(".FromFile(modelName, path, watchForChanges)", e.Message);
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

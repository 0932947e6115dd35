using static MlNetDigits.Tests.ImageClassificationTestData;
using MlNetDigits.Engine.Backends;

namespace MlNetDigits.Tests;

public sealed class ImageClassificationOptionsTests
{

    [Fact]
    public void ZeroEpochs_ThrowsWhenTheTrainerIsCreated()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer(new ImageClassificationTrainer.Options { Epochs = 0 }));
        Assert.Contains("Epochs must be at least 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UndefinedBackend_ThrowsWhenTheTrainerIsCreated()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer(new ImageClassificationTrainer.Options { Backend = (BackendKind)7 }));
        Assert.Equal("Backend", e.ParamName);
        Assert.Contains("Auto, Managed, OpenBlas or Gpu", e.Message);
    }

    [Fact]
    public void BatchLargerThanTheData_ThrowsNamingBoth()
    {
        var options = TinyOptions(epochs: 1);
        options.BatchSize = 100;
        var e = Assert.Throws<ArgumentException>(() => Trainer(options).Fit(Keyed(50)));
        Assert.Contains("BatchSize 100 is larger than the 40 training images", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ImageColumnOfNoKnownShape_ThrowsASchemaErrorBeforeTraining()
    {
        var ml = new MLContext(1);
        var rows = new[] { new FlatRow { Label = 1, Image = new float[700] }, new FlatRow { Label = 2, Image = new float[700] } };
        var flat = KeyMapping(ml).Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer(TinyOptions()).Fit(flat));
        Assert.Contains("Column 'Image'", e.Message, StringComparison.Ordinal);
        Assert.Contains("ImageShape annotation", e.Message, StringComparison.Ordinal);
        Assert.Contains("Vector<Single, 700>", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SquareFlatImages_AreTakenAsOneChannel_AsAre28x28Dimensions(bool dimensions)
    {
        var ml = new MLContext(1);
        var rows = ImageClassificationTestData.Rows(100);
        var definition = SchemaDefinition.Create(typeof(ImageClassificationTestData.Row));
        definition[nameof(ImageClassificationTestData.Row.Image)].ColumnType = dimensions
            ? new VectorDataViewType(NumberDataViewType.Single, 28, 28)
            : new VectorDataViewType(NumberDataViewType.Single, 784);
        var data = ml.Data.LoadFromEnumerable(rows, definition);

        var model = Trainer(TinyOptions(epochs: 1)).Fit(KeyMapping(ml).Fit(data).Transform(data));

        Assert.Equal([1, 28, 28], model.Info.InputShape);
    }

    [Fact]
    public void LabelThatIsNotAKey_ThrowsAskingForMapValueToKey()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer(TinyOptions()).Fit(Images(50)));
        Assert.Contains("Column 'Label'", e.Message, StringComparison.Ordinal);
        Assert.Contains("MapValueToKey", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Trainer(TinyOptions()).GetOutputSchema(SchemaShapes.Of(Images(5).Schema)));
    }

    [Fact]
    public void GetOutputSchema_AddsScoreAndAKeyPredictedLabel_AsTheTransformDoes()
    {
        var data = Keyed(100);
        var shape = Trainer(TinyOptions(epochs: 1)).GetOutputSchema(SchemaShapes.Of(data.Schema));

        var score = Assert.Single(shape, c => c.Name == "Score");
        var predicted = Assert.Single(shape, c => c.Name == "PredictedLabel");
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, score.Kind);
        Assert.Equal(NumberDataViewType.Single, score.ItemType);
        Assert.True(predicted.IsKey);
        var ood = Assert.Single(shape, c => c.Name == "OodScore");
        Assert.Equal((SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single), (ood.Kind, ood.ItemType));
        var scored = Trainer(TinyOptions(epochs: 1)).Fit(data).Transform(data);
        Assert.True(scored.Schema["PredictedLabel"].Type is KeyDataViewType { Count: 10 });
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 1), scored.Schema["OodScore"].Type);
    }

    [Fact]
    public void GetOutputSchema_HasNoOodScore_WithoutValidationImagesOrARate()
    {
        var schema = SchemaShapes.Of(Keyed(10).Schema);
        var noValidation = TinyOptions();
        noValidation.ValidationSetFraction = 0;
        var noRate = TinyOptions();
        noRate.OodFalsePositiveRate = 0;

        Assert.DoesNotContain(Trainer(noValidation).GetOutputSchema(schema), c => c.Name == "OodScore");
        Assert.DoesNotContain(Trainer(noRate).GetOutputSchema(schema), c => c.Name == "OodScore");
    }

    private sealed class FlatRow
    {
        public uint Label { get; set; }

        [VectorType(700)]
        public float[] Image { get; set; } = [];
    }

    [Fact]
    public void ImagesTooSmallForTheArchitecture_ThrowNamingTheLayer()
    {
        var options = TinyOptions();
        options.Layers = ["conv 8 3", "maxpool 2", "maxpool 2", "maxpool 2", "conv 8 5"];
        var e = Assert.Throws<ArgumentException>(() => Trainer(options).Fit(Keyed(50)));
        Assert.Contains("Layer 4 'conv 8 5'", e.Message, StringComparison.Ordinal);
        Assert.Contains("larger than its input 3x3", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Preset", "huge", "Unknown preset 'huge'")]
    [InlineData("Optimizer", "rmsprop", "Unknown optimizer 'rmsprop'")]
    [InlineData("LearningRateSchedule", "warm", "Unknown learning-rate schedule 'warm'")]
    public void UnknownNames_ThrowListingTheValidOnes(string option, string value, string message)
    {
        var options = new ImageClassificationTrainer.Options();
        typeof(ImageClassificationTrainer.Options).GetProperty(option)!.SetValue(options, value);
        var e = Assert.Throws<ArgumentException>(() => Trainer(options));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pool 2", "'pool' is not a layer kind")]
    [InlineData("conv 32", "it has 1 value(s) where 'conv OUT K [stride=S] [pad=P] [bias=false]' takes 2")]
    [InlineData("conv x 3", "OUT 'x' is not an integer >= 1")]
    [InlineData("dropout 1.5", "'1.5' is not a number in [0, 1)")]
    [InlineData("relu fast=1", "'relu' has no option 'fast'")]
    [InlineData("conv 8 3 pad=-1", "pad '-1' is not an integer >= 0")]
    public void BadLayerSpecs_ThrowSayingWhatIsWrong(string spec, string message)
    {
        var options = new ImageClassificationTrainer.Options { Layers = ["conv 8 3", spec] };
        var e = Assert.Throws<ArgumentException>(() => Trainer(options));
        Assert.Contains($"Layer 1 '{spec}' is invalid", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DenseOnImages_ThrowsAskingForFlatten()
    {
        var e = Assert.Throws<ArgumentException>(() => NetworkSpec.Parse(["conv 4 3", "dense 10"], 1, 28, 28));
        Assert.Contains("put 'flatten' before it", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EarlyStoppingWithoutValidation_Throws()
    {
        var options = new ImageClassificationTrainer.Options { ValidationSetFraction = 0, EarlyStoppingCriteria = new EarlyStoppingOptions() };
        var e = Assert.Throws<ArgumentException>(() => Trainer(options));
        Assert.Contains("EarlyStoppingCriteria needs validation images", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OptionTheOptimizerLacks_Throws()
    {
        var options = TinyOptions(epochs: 1);
        options.Optimizer = "adadelta";
        options.Beta1 = 0.5;
        var e = Assert.Throws<ArgumentException>(() => Trainer(options).Fit(Keyed(50)));
        Assert.Contains("Optimizer 'adadelta' has no option Beta1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NetworkSpec_CanonicalisesAndAppendsTheHead()
    {
        var spec = NetworkSpec.Parse(["CONV 8 3 pad=1 stride=1", "BN", "ReLU", "maxpool 2 stride=2", "dropout 0.25"], 1, 28, 28, classes: 10);

        Assert.Equal(["conv 8 3 pad=1", "bn", "relu", "maxpool 2", "dropout 0.25", "flatten", "dense 10"], spec.Layers);
        Assert.Equal([10], spec.OutputShape);
        Assert.Equal(28L * 28 * 8 * 9 + 14 * 14 * 8 * 10, spec.MultiplyAccumulates());
    }

    [Theory]
    [InlineData("fast")]
    [InlineData("classic")]
    [InlineData("best")]
    public void Presets_ParseForMnistImages(string name)
    {
        var preset = ImageClassificationPreset.Get(name);
        var spec = NetworkSpec.Parse(preset.Layers, 1, 28, 28, 10);
        Assert.Equal("dense 10", spec.Layers[^1]);
    }
}

using static MlNetDigits.Tests.TestModels;

namespace MlNetDigits.Tests;

/// <summary>The only tests that set MLNETDIGITS_MODELS; they run one after another within this class.</summary>
public sealed class ShippedModelsTests
{
    [Fact]
    public void LoadShipped_FindsTheModelInTheFolderNamedByTheEnvironmentVariableFirst()
    {
        var folder = TempFolder();
        var previous = Environment.GetEnvironmentVariable(ShippedModels.EnvironmentVariable);
        try
        {
            File.WriteAllBytes(Path.Combine(folder, "sdca.zip"), SdcaModel.FileBytes);
            Environment.SetEnvironmentVariable(ShippedModels.EnvironmentVariable, folder);
            Assert.Equal(folder, ShippedModels.SearchFolders()[0]);
            using var classifier = DigitClassifier.LoadShipped("sdca");
            Assert.Equal("sdca", classifier.Model.Name);
            Assert.Equal(Path.Combine(folder, "sdca.zip"), classifier.Model.FilePath);
            var (pixels, label) = TestDigits(1)[0];
            Assert.Equal(label.ToString(System.Globalization.CultureInfo.InvariantCulture), classifier.Classify28x28(pixels).Digit);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ShippedModels.EnvironmentVariable, previous);
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Find_ThrowsListingTheSearchedFoldersAndTheCommandWhenAbsent()
    {
        var e = Assert.Throws<FileNotFoundException>(() => ShippedModels.Find("no-such-model-7f3a"));
        Assert.Contains("no-such-model-7f3a.zip", e.Message);
        Assert.Contains(Path.Combine(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar), "models"), e.Message);
        Assert.Contains("mlnetdigits train", e.Message);
    }

    [Theory]
    [InlineData("cnn", "mlnetdigits train --trainer cnn --preset best --seed 1 --out models/cnn-best.zip")]
    [InlineData("CNN-fast", "mlnetdigits train --trainer cnn --preset fast --seed 1 --out models/cnn-fast.zip")]
    [InlineData("sdca", "mlnetdigits train --trainer sdca --seed 1 --out models/sdca.zip")]
    [InlineData("mine", "mlnetdigits train --trainer cnn --out models/mine.zip")]
    public void CommandThatProduces_NamesTheCommandOfThatModel(string name, string command) =>
        Assert.Equal(command, ShippedModels.CommandThatProduces(name));

    [Fact]
    public void LoadShipped_MissingCnn_NamesTheCommandThatProducesACnnNotTheSdcaOne()
    {
        var e = Assert.Throws<FileNotFoundException>(() => DigitClassifier.LoadShipped("cnn-never-shipped"));

        Assert.Contains("`mlnetdigits train --trainer cnn --out models/cnn-never-shipped.zip`", e.Message);
        Assert.DoesNotContain("--trainer sdca", e.Message);
    }

    [Theory]
    [InlineData("cnn", "cnn-best.zip")]
    [InlineData("SDCA", "sdca.zip")]
    [InlineData("cnn-fast", "cnn-fast.zip")]
    [InlineData("mine.zip", "mine.zip")]
    public void FileNameOf_MapsShortNamesAndAddsZip(string name, string file) => Assert.Equal(file, ShippedModels.FileNameOf(name));

    [Theory]
    [InlineData("../secret")]
    [InlineData("a/b")]
    public void FileNameOf_RefusesPaths(string name) => Assert.Throws<ArgumentException>(() => ShippedModels.FileNameOf(name));
}

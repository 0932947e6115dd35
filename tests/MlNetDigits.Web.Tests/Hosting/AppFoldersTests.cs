using MlNetDigits.Web.Datasets;
using MlNetDigits.Web.Tests.Fixtures;

namespace MlNetDigits.Web.Tests.Hosting;

/// <summary>
/// Where relative paths resolve and how paths are shown: `dotnet run --project src/MlNetDigits.Web` starts the app in the
/// project folder, and the app must still find the checkout's models/ and data/.
/// </summary>
public sealed class AppFoldersTests : IDisposable
{
    private readonly string _checkout = Directory.CreateTempSubdirectory("mlnd-checkout-").FullName;

    public AppFoldersTests()
    {
        File.WriteAllText(Path.Combine(_checkout, "MlNetDigits.sln"), "");
        Directory.CreateDirectory(WebProject);
        File.WriteAllText(Path.Combine(WebProject, "MlNetDigits.Web.csproj"), "<Project />");
    }

    private string WebProject => Path.Combine(_checkout, "src", "MlNetDigits.Web");

    public void Dispose() => Directory.Delete(_checkout, recursive: true);

    [Fact]
    public void BaseFolder_IsTheCheckoutRoot_WhenStartedInTheWebProjectFolder()
    {
        Assert.Equal(_checkout, AppFolders.BaseFolderFor(WebProject));
    }

    [Fact]
    public void BaseFolder_IsTheCurrentDirectory_AnywhereElse()
    {
        var elsewhere = Path.Combine(_checkout, "src");
        var projectWithoutCheckout = Directory.CreateTempSubdirectory("mlnd-lone-").FullName;
        File.WriteAllText(Path.Combine(projectWithoutCheckout, "MlNetDigits.Web.csproj"), "<Project />");

        Assert.Equal(_checkout, AppFolders.BaseFolderFor(_checkout));
        Assert.Equal(elsewhere, AppFolders.BaseFolderFor(elsewhere));
        Assert.Equal(projectWithoutCheckout, AppFolders.BaseFolderFor(projectWithoutCheckout));
    }

    [Fact]
    public void RelativeModelPaths_ResolveAgainstTheCheckout()
    {
        var folders = new AppFolders(AppFolders.BaseFolderFor(WebProject));

        Assert.Equal(Path.Combine(_checkout, "models", "cnn-fast.zip"), folders.Resolve("models/cnn-fast.zip"));
        Assert.Equal("/elsewhere/model.zip", folders.Resolve("/elsewhere/model.zip"));
    }

    [Fact]
    public void DataRoot_ResolvesAgainstTheCheckout_ConfiguredOrNot()
    {
        // A fetched MNIST in the checkout's data/ (the sample's files stand in for it).
        var mnist = Directory.CreateDirectory(Path.Combine(_checkout, "data", "mnist")).FullName;
        foreach (var file in Directory.GetFiles(TestModels.SampleFolder))
            File.Copy(file, Path.Combine(mnist, Path.GetFileName(file)));
        var folders = new AppFolders(AppFolders.BaseFolderFor(WebProject));

        Assert.Equal(Path.Combine(_checkout, "data"), DatasetStore.FindDataRoot(null, folders));
        Assert.Equal(Path.Combine(_checkout, "other"), DatasetStore.FindDataRoot("other", folders));
    }

    [Fact]
    public void Display_IsRelativeInsideTheBaseFolder_AndTheFileNameOutside()
    {
        var folders = new AppFolders(_checkout);

        Assert.Equal(Path.Combine("models", "sdca.zip"), folders.Display(Path.Combine(_checkout, "models", "sdca.zip")));
        Assert.Equal("model.zip", folders.Display("/srv/secret/place/model.zip"));
        Assert.Equal("model.zip", folders.Display(Path.GetFullPath(Path.Combine(_checkout, "..", "model.zip"))));
    }

    [Fact]
    public void Redact_NamesTheFileButNotItsFolder()
    {
        var folders = new AppFolders(_checkout);
        const string File = "/srv/secret/place/model.zip";

        var message = folders.Redact($"The model file '{File}' is not a valid model file; also saw /srv/secret/place/model.zip.tmp and {_checkout}/models/x.zip.", File);

        Assert.Equal("The model file 'model.zip' is not a valid model file; also saw model.zip.tmp and models/x.zip.", message);
    }
}

using System.Text.Json.Nodes;

namespace MlNetDigits.NotebookRunner.Tests;

/// <summary>Packages as Polyglot users load them: from a local folder feed (<c>#i</c>), and the committed sample from the registry.</summary>
[Collection(KernelCollection.Name)]
public sealed class PackageTests
{
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MlNetDigits.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"Expected MlNetDigits.sln in a folder above {AppContext.BaseDirectory}; found none.");
    }

    [Fact]
    public async Task LocalFeed_RestoresAPackage_GivenIWithAnAbsoluteFolderAndRNuget()
    {
        // One folder per package version, kept between runs: .NET Interactive caches a restore by its sources and
        // packages, so a second run skips `dotnet restore` (about 5 s here).
        var feed = Path.Combine(Path.GetTempPath(), $"mlnd-notebook-test-feed-{TestPackage.Version}");
        TestPackage.WriteTo(feed);
        using var withFeed = new TestNotebook(
            $"#i \"nuget: {feed}\"\n#r \"nuget: {TestPackage.Id}, {TestPackage.Version}\"",
            "NotebookRunnerTestPackage.Greeter.Hello(\"notebook\")");

        var result = await NotebookExecutor.RunAsync(withFeed.Path, RunMode.Write);

        Assert.True(result.Succeeded, result.Failure);
        Assert.Contains($"{TestPackage.Id}, {TestPackage.Version}", withFeed.Outputs(1).ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("Hello from the local feed, notebook",
            string.Concat(((JsonArray)withFeed.Outputs(2).Single()!["data"]!["text/plain"]!).Select(l => (string?)l)));
    }

    [Fact]
    public async Task SampleNotebook_RestoresFromTheRegistry_AndMatchesItsCommittedOutputs()
    {
        var sample = Path.Combine(RepositoryRoot(), "tools", "MlNetDigits.NotebookRunner", "Samples", "hello-nuget.ipynb");
        var before = File.ReadAllText(sample);

        var result = await NotebookExecutor.RunAsync(sample, RunMode.Check);

        Assert.True(result.Succeeded, result.Failure);
        Assert.Equal(4, result.CodeCellsRun);
        Assert.Contains("Installed Packages", before, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(sample));
    }
}

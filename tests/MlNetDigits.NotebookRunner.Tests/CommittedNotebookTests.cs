using System.Text.Json.Nodes;

namespace MlNetDigits.NotebookRunner.Tests;

/// <summary>The notebooks in notebooks/ as committed: Polyglot metadata, the built library referenced, outputs without errors.</summary>
public sealed class CommittedNotebookTests
{
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MlNetDigits.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"No MlNetDigits.sln above {AppContext.BaseDirectory}.");
    }

    public static TheoryData<string> Notebooks()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryRoot(), "notebooks"), "*.ipynb").OrderBy(f => f, StringComparer.Ordinal))
            data.Add(Path.GetFileName(file));
        return data;
    }

    [Fact]
    public void Repository_HasTheFiveNotebooks()
    {
        Assert.Equal(["01-explore-data.ipynb", "02-train-and-compare.ipynb", "03-pipeline-api.ipynb", "04-error-analysis.ipynb", "05-your-handwriting.ipynb"],
            Directory.GetFiles(Path.Combine(RepositoryRoot(), "notebooks"), "*.ipynb").Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void CommittedNotebook_IsAPolyglotCSharpNotebookWithEveryCellExecuted(string name)
    {
        var notebook = Notebook.Load(Path.Combine(RepositoryRoot(), "notebooks", name));

        Assert.Empty(notebook.CheckPolyglotMetadata());
        var code = notebook.Cells.Where(c => Notebook.CellType(c!) == "code").ToList();
        Assert.Contains("#r \"../src/MlNetDigits/bin/Release/net10.0/MlNetDigits.dll\"", Notebook.Source(code[0]!));
        Assert.Equal(Enumerable.Range(1, code.Count), code.Select(c => c!["execution_count"]!.GetValue<int>()));
        var outputs = code.SelectMany(c => (JsonArray)c!["outputs"]!).ToList();
        Assert.DoesNotContain(outputs, o => o!["output_type"]!.GetValue<string>() == "error");
        Assert.Contains(outputs, o => o!["data"]?["text/html"] is not null);
    }
}

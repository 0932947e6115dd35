using System.Globalization;

namespace MlNetDigits.NotebookRunner;

/// <summary>The command line: parses the arguments, runs each notebook, reports and writes the outputs back.</summary>
public static class RunnerCommand
{
    public const string Usage = """
        Usage: MlNetDigits.NotebookRunner [options] NOTEBOOK.ipynb...

        Runs the C# code cells of each notebook in order (state carried between cells, #r relative to the notebook,
        display(x), the trailing expression's value shown) and writes the outputs back into the .ipynb.

        Options:
          --check                  run without writing anything; also fails on missing Polyglot metadata
          --output DIR             write the executed notebooks into DIR instead of over the inputs
          --package-map NAME=DLL   let #r "nuget: NAME, ..." load DLL (the runner restores no packages)
          --timings                print how long each code cell took
          -h, --help               show this help

        Exit codes: 0 all notebooks ran, 1 a cell failed or a notebook is invalid, 2 bad usage.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        bool check = false, timings = false;
        string? outputFolder = null;
        var packageMap = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var notebooks = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-h" or "--help":
                    stdout.WriteLine(Usage);
                    return 0;
                case "--check":
                    check = true;
                    break;
                case "--timings":
                    timings = true;
                    break;
                case "--output" when i + 1 < args.Length:
                    outputFolder = args[++i];
                    break;
                case "--package-map" when i + 1 < args.Length && args[i + 1].Split('=', 2) is [{ Length: > 0 } name, { Length: > 0 } dll]:
                    packageMap[name] = Path.GetFullPath(dll);
                    i++;
                    break;
                case var option when option.StartsWith('-'):
                    stderr.WriteLine($"Unknown or incomplete option '{option}'.\n\n{Usage}");
                    return 2;
                default:
                    notebooks.Add(args[i]);
                    break;
            }
        }
        if (notebooks.Count == 0)
        {
            stderr.WriteLine($"Give at least one notebook.\n\n{Usage}");
            return 2;
        }
        if (check && outputFolder is not null)
        {
            stderr.WriteLine("--check writes nothing, so --output cannot go with it.");
            return 2;
        }

        var executor = new NotebookExecutor(packageMap);
        int failed = 0;
        foreach (var path in notebooks)
        {
            Notebook notebook;
            try
            {
                notebook = Notebook.Load(path);
            }
            catch (Exception e) when (e is InvalidNotebookException or IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"{path}: {(e is InvalidNotebookException ? e.Message : "cannot be read: " + e.Message)}");
                failed++;
                continue;
            }
            if (check && notebook.CheckPolyglotMetadata() is { Count: > 0 } problems)
            {
                foreach (var problem in problems)
                    stderr.WriteLine($"{path}: {problem}");
                failed++;
                continue;
            }
            var result = await executor.RunAsync(notebook, path).ConfigureAwait(false);
            var seconds = result.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
            if (timings)
                foreach (var cell in result.Cells)
                    stdout.WriteLine($"  cell {cell.CellNumber}: {cell.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s");
            if (result.Succeeded)
                stdout.WriteLine($"{path}: {result.Cells.Count} code cells ran in {seconds} s");
            else
            {
                stderr.WriteLine($"{path}: failed at {result.Error}");
                foreach (var line in result.Error!.Traceback.Take(12))
                    stderr.WriteLine("    " + line);
                failed++;
            }
            if (!check)
            {
                notebook.EnsurePolyglotMetadata();
                var target = outputFolder is null ? path : Path.Combine(outputFolder, Path.GetFileName(path));
                if (outputFolder is not null)
                    Directory.CreateDirectory(outputFolder);
                notebook.Save(target);
            }
        }
        return failed == 0 ? 0 : 1;
    }
}

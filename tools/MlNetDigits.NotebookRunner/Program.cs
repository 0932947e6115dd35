using MlNetDigits.NotebookRunner;

// MlNetDigits.NotebookRunner run [--write | --check] NOTEBOOK.ipynb...   (--help for the details)
// Exit codes: 0 every notebook ran (and matched, with --check), 1 a notebook failed, 2 bad usage.
return await RunnerCommand.RunAsync(args, Console.Out, Console.Error);

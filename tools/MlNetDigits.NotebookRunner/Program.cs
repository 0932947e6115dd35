using MlNetDigits.NotebookRunner;

// MlNetDigits.NotebookRunner [--check] [--timings] [--output DIR] [--package-map Name=path.dll]... NOTEBOOK.ipynb...
// Exit codes: 0 every notebook ran, 1 a cell failed or a notebook is invalid, 2 bad usage.
return await RunnerCommand.RunAsync(args, Console.Out, Console.Error);

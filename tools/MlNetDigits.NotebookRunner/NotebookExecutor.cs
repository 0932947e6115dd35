using System.Diagnostics;
using Microsoft.DotNet.Interactive.Documents;

namespace MlNetDigits.NotebookRunner;

/// <summary>
/// Runs one notebook: every code cell in order in one fresh kernel, with the notebook's folder as the working
/// directory; stops at the first cell error; then, by <see cref="RunMode"/>, compares the outputs with the committed
/// ones or writes them back.
/// </summary>
public static class NotebookExecutor
{
    /// <summary>Runs <paramref name="path"/>; problems come back in the result, nothing throws for a bad cell.</summary>
    public static async Task<NotebookResult> RunAsync(string path, RunMode mode)
    {
        var total = Stopwatch.StartNew();
        var runs = new List<(int Number, InteractiveDocumentElement Cell, CellRun Run)>();
        NotebookFile file;
        try
        {
            file = NotebookFile.Load(path);
        }
        catch (InvalidNotebookException e)
        {
            return Failed(e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Failed($"{path} cannot be read: {e.Message}");
        }

        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        var previousFolder = Directory.GetCurrentDirectory();
        TimeSpan kernelStart;
        Directory.SetCurrentDirectory(folder);
        try
        {
            var started = Stopwatch.StartNew();
            // Not disposed: disposing the kernel unhooks the resolver of the native libraries its packages brought
            // (SkiaSharp's libSkiaSharp.so), and a finalizer that then calls into one crashes the process. VS Code keeps
            // a kernel until its process ends; the command line runs each notebook of several in a process of its own.
            var kernel = NotebookKernel.Start();
            kernelStart = started.Elapsed;
            foreach (var (number, cell) in file.CodeCells)
            {
                var run = await kernel.RunCellAsync(cell.Contents).ConfigureAwait(false);
                runs.Add((number, cell, run));
                if (!run.Succeeded)
                    return Failed($"{path}: cell {number} failed: {run.Failure}\n  cell {number} starts: {FirstLine(cell.Contents)}");
            }
        }
        finally
        {
            Directory.SetCurrentDirectory(previousFolder);
        }

        bool written = false;
        if (mode == RunMode.Check)
        {
            foreach (var (number, cell, run) in runs)
            {
                if (OutputNormalizer.OutputsVary(cell.Contents))
                    continue;
                var committed = OutputNormalizer.MaskTimings(OutputTranscript.Of(cell.Outputs));
                var produced = OutputNormalizer.MaskTimings(OutputTranscript.Of(run.Outputs));
                if (committed != produced)
                {
                    var diff = UnifiedDiff.Format(committed, produced, $"{path} cell {number} (committed)", $"{path} cell {number} (this run)");
                    return Failed(
                        $"{path}: cell {number}: the outputs differ from the committed ones (timings masked).\n" +
                        $"If the change is intended, run scripts/run-notebooks.sh --write {path} and commit the notebook; if this cell's " +
                        $"outputs legitimately change from run to run, add the line '{OutputNormalizer.VaryMarker}' to it.\n{diff}");
                }
            }
        }
        else if (mode == RunMode.Write)
        {
            int executionCount = 0;
            foreach (var (_, cell, run) in runs)
            {
                cell.ExecutionOrder = ++executionCount;
                bool sameAfterMasking = !OutputNormalizer.OutputsVary(cell.Contents)
                    && OutputNormalizer.MaskTimings(OutputTranscript.Of(cell.Outputs))
                       == OutputNormalizer.MaskTimings(OutputTranscript.Of(run.Outputs));
                if (sameAfterMasking)
                {
                    // Keep the committed timings so a re-run does not change the file for nothing.
                    foreach (var returned in cell.Outputs.OfType<ReturnValueElement>())
                        returned.ExecutionOrder = executionCount;
                    continue;
                }
                cell.Outputs.Clear();
                cell.Outputs.AddRange(run.Outputs);
            }
            written = file.Save();
        }

        (int, TimeSpan)? slowest = null;
        if (runs.Count > 0)
        {
            var (number, _, run) = runs.MaxBy(r => r.Run.Elapsed);
            slowest = (number, run.Elapsed);
        }
        return new NotebookResult(path, null, runs.Count, kernelStart, total.Elapsed, slowest, written);

        NotebookResult Failed(string failure) =>
            new(path, failure, runs.Count, TimeSpan.Zero, total.Elapsed, null, false);
    }

    private static string FirstLine(string code) =>
        code.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "(empty)";
}

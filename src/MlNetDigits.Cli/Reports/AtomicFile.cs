using System.Diagnostics;
using System.Text;

namespace MlNetDigits.Cli.Reports;

/// <summary>
/// Writes files under a temporary name in the same folder and renames them into place, so no file is ever half-written.
/// The temporary name is <c>.NAME.PID.tmp</c>: a failed write (a full disk) removes its own, and the next write of NAME
/// removes those a killed run left behind (any whose process is no longer running).
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="text"/> as UTF-8 (no byte-order mark) to <paramref name="path"/>, creating its folder.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, new UTF8Encoding(false).GetBytes(text));

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/>, creating its folder.</summary>
    public static void WriteAllBytes(string path, byte[] bytes, bool overwrite = true) => Write(path, stream => stream.Write(bytes), overwrite);

    /// <summary>
    /// Lets <paramref name="write"/> fill a temporary file beside <paramref name="path"/>, then renames it to
    /// <paramref name="path"/> (creating the folder). Nothing is left behind when <paramref name="write"/> throws.
    /// </summary>
    /// <param name="path">The file to write.</param>
    /// <param name="write">Writes the content (e.g. <c>ml.Model.Save(model, schema, stream)</c>).</param>
    /// <param name="overwrite">When false, an existing <paramref name="path"/> is kept and <see cref="IOException"/> thrown, even if it appeared while writing.</param>
    /// <param name="beforeReplace">Runs once the new content is complete on disk, just before it takes <paramref name="path"/>'s place (e.g. removes a file describing the old content).</param>
    public static void Write(string path, Action<Stream> write, bool overwrite = true, Action? beforeReplace = null)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        RemoveStaleTemporaryFiles(full);
        var temp = TemporaryPath(full);
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            if (!overwrite && File.Exists(full))
                throw new IOException($"'{path}' already exists; it was kept.");
            beforeReplace?.Invoke();
            File.Move(temp, full, overwrite);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>This process's temporary file for <paramref name="fullPath"/>: <c>.NAME.PID.tmp</c> in the same folder.</summary>
    public static string TemporaryPath(string fullPath) =>
        Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Environment.ProcessId}.tmp");

    /// <summary>
    /// Removes the temporary files of <paramref name="fullPath"/> that no running process is writing: those of this
    /// process and of processes that ended (killed, or out of disk) before renaming them, and any of an older naming.
    /// </summary>
    public static void RemoveStaleTemporaryFiles(string fullPath)
    {
        var folder = Path.GetDirectoryName(fullPath)!;
        var prefix = $".{Path.GetFileName(fullPath)}.";
        foreach (var temp in Directory.EnumerateFiles(folder, prefix + "*.tmp"))
        {
            var owner = Path.GetFileName(temp)[prefix.Length..^".tmp".Length];
            if (int.TryParse(owner, out var pid) && pid != Environment.ProcessId && IsRunning(pid))
                continue; // another process is writing this file now; its rename decides
            TryDelete(temp);
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}

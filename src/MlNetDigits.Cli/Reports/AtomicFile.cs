using System.Text;

namespace MlNetDigits.Cli.Reports;

/// <summary>Writes files under a temporary name in the same folder and renames them into place, so no file is ever half-written.</summary>
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
    public static void Write(string path, Action<Stream> write, bool overwrite = true)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
            }
            throw;
        }
    }
}

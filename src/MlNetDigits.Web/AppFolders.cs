namespace MlNetDigits.Web;

/// <summary>
/// Where the app's relative paths (<c>--Models:Cnn=models/cnn-fast.zip</c>, <c>--Web:DataRoot=data</c>) are resolved, and how
/// paths are shown to clients. The base folder is the current directory, except when that is the web project's own folder
/// inside a checkout — where <c>dotnet run --project src/MlNetDigits.Web</c> starts the app — when it is the checkout's
/// root, so the app finds models/ and data/ as <c>./mlnetdigits</c> and <c>./mlnetdigits-web</c> do. Clients see paths
/// relative to the base folder, or only the file name for a file outside it: never where the server keeps its files.
/// </summary>
public sealed class AppFolders
{
    /// <summary>The base folder of the app's current directory (see <see cref="BaseFolderFor"/>).</summary>
    public AppFolders()
        : this(BaseFolderFor(Directory.GetCurrentDirectory()))
    {
    }

    /// <summary>Folders resolved against <paramref name="baseFolder"/>.</summary>
    public AppFolders(string baseFolder) => BaseFolder = Path.GetFullPath(baseFolder);

    /// <summary>The folder relative paths are resolved against (absolute).</summary>
    public string BaseFolder { get; }

    /// <summary>
    /// <paramref name="currentDirectory"/>, or the checkout's root when it is the web project's folder in a checkout (it holds
    /// MlNetDigits.Web.csproj and two levels up is a folder holding MlNetDigits.sln).
    /// </summary>
    public static string BaseFolderFor(string currentDirectory)
    {
        var current = new DirectoryInfo(Path.GetFullPath(currentDirectory));
        return File.Exists(Path.Combine(current.FullName, "MlNetDigits.Web.csproj")) && current.Parent?.Parent is { } root &&
            File.Exists(Path.Combine(root.FullName, "MlNetDigits.sln"))
            ? root.FullName
            : current.FullName;
    }

    /// <summary>The full path of <paramref name="path"/>, a relative one taken from the base folder.</summary>
    public string Resolve(string path) => Path.GetFullPath(path, BaseFolder);

    /// <summary>How <paramref name="fullPath"/> is shown to clients: relative to the base folder when inside it, else its file name.</summary>
    public string Display(string fullPath)
    {
        var relative = Path.GetRelativePath(BaseFolder, fullPath);
        return relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(relative)
            ? Path.GetFileName(fullPath.TrimEnd(Path.DirectorySeparatorChar))
            : relative;
    }

    /// <summary>
    /// <paramref name="message"/> with <paramref name="fullPath"/> written as <see cref="Display"/> shows it, and any other path
    /// in its folder or in the base folder made relative, so that an error passed on to clients tells which file without
    /// telling where the server keeps it.
    /// </summary>
    public string Redact(string message, string? fullPath)
    {
        if (fullPath is not null)
        {
            message = message.Replace(fullPath, Display(fullPath), StringComparison.Ordinal);
            if (Path.GetDirectoryName(fullPath) is { Length: > 1 } folder)
                message = message.Replace(folder + Path.DirectorySeparatorChar, "", StringComparison.Ordinal);
        }
        return BaseFolder.Length > 1 ? message.Replace(BaseFolder + Path.DirectorySeparatorChar, "", StringComparison.Ordinal) : message;
    }
}

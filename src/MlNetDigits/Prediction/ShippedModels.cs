namespace MlNetDigits;

/// <summary>
/// Finds the models shipped in the repository's <c>models/</c> folder (see models/README.md) from an app, a test or a tool,
/// wherever it runs from. Search order, first hit wins:
/// (1) the folder in the <c>MLNETDIGITS_MODELS</c> environment variable;
/// (2) <c>models/</c> under the app's base directory (<see cref="AppContext.BaseDirectory"/>: copy the files there to ship them with an app);
/// (3) <c>models/</c> in each parent folder of the base directory (a build output inside the repository finds the repository's);
/// (4) <c>models/</c> in the current directory and each of its parents.
/// </summary>
public static class ShippedModels
{
    /// <summary>The environment variable naming an extra models folder, searched first.</summary>
    public const string EnvironmentVariable = "MLNETDIGITS_MODELS";

    /// <summary>The shipped models by short name: "cnn" is the best CNN, "sdca" the linear baseline.</summary>
    public static IReadOnlyDictionary<string, string> FileNames { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["cnn"] = "cnn-best.zip",
        ["sdca"] = "sdca.zip",
    };

    /// <summary>The console command that produces each shipped model (models/README.md), by file name.</summary>
    private static readonly Dictionary<string, string> ProducedBy = new(StringComparer.OrdinalIgnoreCase)
    {
        ["cnn-best.zip"] = "mlnetdigits train --trainer cnn --preset best --seed 1 --out models/cnn-best.zip",
        ["cnn-fast.zip"] = "mlnetdigits train --trainer cnn --preset fast --seed 1 --out models/cnn-fast.zip",
        ["sdca.zip"] = "mlnetdigits train --trainer sdca --seed 1 --out models/sdca.zip",
    };

    /// <summary>
    /// The command that produces shipped model <paramref name="name"/> (models/README.md); for a name that is not one of the
    /// shipped models, a <c>train</c> command writing that file.
    /// </summary>
    public static string CommandThatProduces(string name)
    {
        var file = FileNameOf(name);
        return ProducedBy.TryGetValue(file, out var command) ? command : $"mlnetdigits train --trainer cnn --out models/{file}";
    }

    /// <summary>
    /// The file name for <paramref name="name"/>: a short name from <see cref="FileNames"/>, else the name itself with ".zip"
    /// added when it has no extension ("cnn-fast" is cnn-fast.zip).
    /// </summary>
    public static string FileNameOf(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (FileNames.TryGetValue(name, out var file))
            return file;
        if (name.Contains('/') || name.Contains('\\') || name.Contains(".."))
            throw new ArgumentException($"'{name}' is not a model name; pass a name such as \"cnn\" or \"sdca\", or load a path with DigitClassifier.Load.", nameof(name));
        return Path.HasExtension(name) ? name : name + ".zip";
    }

    /// <summary>The folders searched, in order (they may not exist).</summary>
    public static IReadOnlyList<string> SearchFolders()
    {
        var folders = new List<string>();
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env)
            folders.Add(Path.GetFullPath(env));
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
                folders.Add(Path.Combine(dir.FullName, "models"));
        return [.. folders.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The path of shipped model <paramref name="name"/>, or null when no searched folder has it.</summary>
    public static string? TryFind(string name)
    {
        var file = FileNameOf(name);
        return SearchFolders().Select(f => Path.Combine(f, file)).FirstOrDefault(File.Exists);
    }

    /// <summary>The path of shipped model <paramref name="name"/>; throws naming the folders searched when it is not found.</summary>
    /// <exception cref="FileNotFoundException">No searched folder holds the model.</exception>
    public static string Find(string name) => TryFind(name) ?? throw new FileNotFoundException(
        $"Shipped model '{name}' ({FileNameOf(name)}) was not found. Searched: {string.Join(", ", SearchFolders().Take(6))}{(SearchFolders().Count > 6 ? ", ..." : "")}. " +
        $"Produce it with `{CommandThatProduces(name)}` (see models/README.md), copy it to a 'models' folder beside your app, or set {EnvironmentVariable}.",
        FileNameOf(name));
}

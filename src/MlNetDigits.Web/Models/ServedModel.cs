namespace MlNetDigits.Web.Models;

/// <summary>One model the app serves by name: its configured file and, once loaded, its classifier; or why it is missing.</summary>
public sealed class ServedModel
{
    internal ServedModel(string name, string? path, string source)
    {
        Name = name;
        Path = path;
        Source = source;
    }

    /// <summary>The model's name in URLs ("cnn", "sdca"): lower-case letters, digits, '-' and '_'.</summary>
    public string Name { get; }

    /// <summary>The full path of the model file, or null when no file was found.</summary>
    public string? Path { get; internal set; }

    /// <summary>Where the path came from: "configured" (Models:Name) or "shipped" (models/ folder).</summary>
    public string Source { get; }

    /// <summary>The classifier, or null while the model is missing or invalid.</summary>
    public DigitClassifier? Classifier { get; internal set; }

    /// <summary>What the served model is (its ML.NET transformers; for a CNN its layers, temperature and history), or null.</summary>
    public ModelDescription? Description { get; internal set; }

    /// <summary>Why the model is not served; null when it is.</summary>
    public string? Error { get; internal set; }

    /// <summary>The last time the file was tried (a missing file is tried again now and then).</summary>
    internal DateTimeOffset LastAttempt { get; set; }

    /// <summary>The last hot-reload failure (the previous model kept serving), or null.</summary>
    public string? LastReloadError { get; internal set; }

    /// <summary>How many times the file was reloaded since the app started.</summary>
    public int ReloadCount { get; internal set; }
}

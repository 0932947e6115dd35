using MlNetDigits.Web.Models;

namespace MlNetDigits.Web.Api;

/// <summary>What the model-info endpoints say about a served model.</summary>
/// <param name="Name">The model's name in URLs.</param>
/// <param name="Status">"ready", or "missing" when the model is not loaded.</param>
/// <param name="Source">"configured" (Models:Name) or "shipped" (models/ folder).</param>
/// <param name="File">The model file: its path relative to the app's base folder, or its name alone when it is elsewhere
/// (see <see cref="AppFolders.Display"/>); null when none was found.</param>
/// <param name="Version">The served model's content version (12 hex digits of SHA-256), or null.</param>
/// <param name="LoadedAt">When the served model was loaded, or null.</param>
/// <param name="FileTimestamp">The model file's last write time when it was read, or null.</param>
/// <param name="Classes">The class names, or null.</param>
/// <param name="Watching">True when the file is watched and reloaded on change.</param>
/// <param name="Reloads">How many times the file was reloaded since start.</param>
/// <param name="Error">Why the model is missing, or the last refused reload, or null.</param>
/// <param name="Details">What the model is: its ML.NET transformers and, for a CNN, layers, temperature and history; null when missing.</param>
public sealed record ModelInfoResponse(
    string Name,
    string Status,
    string Source,
    string? File,
    string? Version,
    DateTimeOffset? LoadedAt,
    DateTimeOffset? FileTimestamp,
    IReadOnlyList<string>? Classes,
    bool Watching,
    int Reloads,
    string? Error,
    ModelDescription? Details)
{
    /// <summary>The info of <paramref name="model"/>, its path shown as <paramref name="folders"/> shows paths.</summary>
    public static ModelInfoResponse From(ServedModel model, bool watching, AppFolders folders)
    {
        var classifier = model.Classifier;
        var loaded = classifier?.Model;
        return new ModelInfoResponse(model.Name, classifier is null ? "missing" : "ready", model.Source,
            model.Path is null ? null : folders.Display(model.Path), loaded?.Version,
            loaded?.LoadedAt, loaded?.FileTimestamp, classifier?.ClassNames, classifier is not null && watching, model.ReloadCount,
            model.Error ?? model.LastReloadError, classifier is null ? null : model.Description);
    }
}

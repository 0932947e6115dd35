namespace MlNetDigits.Cli.Commands;

/// <summary>Turns a <c>--model</c> value into a loaded model: a file path, or the name of a shipped model ("cnn", "sdca").</summary>
internal static class ModelArguments
{
    /// <summary>The help text of a <c>--model</c> option.</summary>
    public const string Description = "A model file (.zip) written by `train`, or the name of a shipped model in models/ (cnn, sdca).";

    /// <summary>The path <paramref name="model"/> names: the file when it exists, else a shipped model of that name.</summary>
    /// <exception cref="FileNotFoundException">Neither exists (the message says where it looked).</exception>
    public static string Resolve(string model)
    {
        if (File.Exists(model))
            return model;
        if (Directory.Exists(model))
            throw new FileNotFoundException($"--model '{model}' is a folder; give a model file (.zip) written by `mlnetdigits train`.");
        var looksLikeName = !model.Contains('/') && !model.Contains('\\') && !model.EndsWith(".zip", StringComparison.OrdinalIgnoreCase);
        if (looksLikeName && ShippedModels.TryFind(model) is { } shipped)
            return shipped;
        throw new FileNotFoundException(
            $"Model file '{model}' not found. Train one with `mlnetdigits train --trainer cnn --out {(looksLikeName ? model + ".zip" : model)}`" +
            (looksLikeName ? $", or put {ShippedModels.FileNameOf(model)} in models/." : "."));
    }

    /// <summary>Loads the model <paramref name="model"/> names (its <c>FilePath</c> is the full path); dispose it to release its ONNX Runtime sessions.</summary>
    /// <exception cref="FileNotFoundException">No such file or shipped model.</exception>
    /// <exception cref="InvalidModelException">The file is not a readable model (the message names it).</exception>
    public static LoadedModel Load(string model) => LoadedModel.FromFile(Resolve(model));
}

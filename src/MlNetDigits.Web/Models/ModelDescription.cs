using System.Text;
using Microsoft.ML;

namespace MlNetDigits.Web.Models;

/// <summary>
/// What a served model is: the ML.NET transformers of its chain by type name and, for a CNN trained by this library, what
/// its file's ONNX metadata says (<see cref="CnnModelInfo"/>): input shape, layers, calibration temperature, the preset
/// it was trained with and the per-epoch history.
/// </summary>
/// <param name="Version">The model version this describes.</param>
/// <param name="Kind">"cnn" for a CNN made by this library, else "ml.net" (any other ML.NET chain, e.g. SDCA).</param>
/// <param name="Transformers">The chain's transformers in order, nested chains flattened (e.g. "ValueToKeyMappingTransformer").</param>
/// <param name="InputShape">The CNN's input shape (C, H, W), or null.</param>
/// <param name="Layers">The CNN's layers in the engine's grammar ("conv 24 5", ...), or null.</param>
/// <param name="Temperature">The CNN's calibration temperature (1 when not calibrated), or null.</param>
/// <param name="Preset">The training preset ("fast", "classic", "best"), or null when unknown.</param>
/// <param name="History">The CNN's loss and accuracy per training epoch, or null.</param>
public sealed record ModelDescription(
    string Version,
    string Kind,
    IReadOnlyList<string> Transformers,
    int[]? InputShape,
    IReadOnlyList<string>? Layers,
    double? Temperature,
    string? Preset,
    IReadOnlyList<ImageClassificationEpoch>? History)
{
    /// <summary>
    /// Describes <paramref name="model"/>. The CNN's info is read from the model's file when the model is loaded; a file
    /// replaced again in between would be described instead, which the next reload corrects.
    /// </summary>
    public static ModelDescription Of(LoadedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var transformers = new List<string>();
        Flatten(model.Transformer, transformers);
        var cnn = ReadCnnInfo(model.FilePath);
        return cnn is null
            ? new ModelDescription(model.Version, "ml.net", transformers, null, null, null, null, null)
            : new ModelDescription(model.Version, "cnn", transformers, cnn.InputShape, cnn.Layers, cnn.Temperature, cnn.Settings?.Preset, cnn.History);
    }

    /// <summary>The CNN info in the model file, or null when it holds no CNN made by this library (an SDCA chain).</summary>
    private static CnnModelInfo? ReadCnnInfo(string? path)
    {
        if (path is null)
            return null;
        try
        {
            return CnnModelInfo.ReadFromModelFile(path);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void Flatten(ITransformer transformer, List<string> into)
    {
        if (transformer is IEnumerable<ITransformer> chain)
            foreach (var inner in chain)
                Flatten(inner, into);
        else
            into.Add(TypeName(transformer.GetType()));
    }

    /// <summary>"MulticlassPredictionTransformer&lt;MaximumEntropyModelParameters&gt;" rather than "MulticlassPredictionTransformer`1".</summary>
    internal static string TypeName(Type type)
    {
        if (!type.IsGenericType)
            return type.Name;
        var name = new StringBuilder(type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]);
        name.Append('<').AppendJoin(", ", type.GetGenericArguments().Select(TypeName)).Append('>');
        return name.ToString();
    }
}

using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using MlNetDigits.Cli.Reports;

namespace MlNetDigits.Cli.Export;

/// <summary>How a model file became an ONNX file.</summary>
internal enum OnnxExportMethod
{
    /// <summary>The CNN's own graph, as stored in the model file, byte for byte.</summary>
    EmbeddedGraph,

    /// <summary>ML.NET's <c>ml.Model.ConvertToOnnx</c> of the whole loaded chain.</summary>
    ConvertToOnnx,
}

/// <summary>
/// Writes the ONNX form of a saved model: a CNN's embedded graph unchanged (<see cref="CnnModelInfo.ReadOnnxFromModelFile"/>),
/// anything else through ML.NET's <c>ConvertToOnnx</c>, which needs only the model's input schema (given as a data view
/// without rows). A converted graph is loaded into ONNX Runtime before it is written, since ConvertToOnnx can write graphs
/// ONNX Runtime refuses. The file is written to a temporary name and renamed.
/// </summary>
internal static class OnnxExport
{
    /// <summary>Writes <paramref name="model"/> as ONNX to <paramref name="outPath"/>; returns how it was made.</summary>
    /// <param name="model">A model loaded from its file.</param>
    /// <param name="outPath">The .onnx file to write.</param>
    /// <param name="overwrite">Replace an existing <paramref name="outPath"/> (else <see cref="IOException"/> when it exists).</param>
    /// <exception cref="InvalidModelException">The model holds no CNN graph, and ML.NET cannot convert it or converts it to a graph ONNX Runtime does not load.</exception>
    public static OnnxExportMethod Write(LoadedModel model, string outPath, bool overwrite)
    {
        var modelPath = model.FilePath ?? throw new ArgumentException("The model was not loaded from a file.", nameof(model));
        if (ReadEmbeddedGraph(modelPath) is { } graph)
        {
            AtomicFile.WriteAllBytes(outPath, graph, overwrite);
            return OnnxExportMethod.EmbeddedGraph;
        }
        var ml = new MLContext(0);
        using var converted = new MemoryStream();
        try
        {
            ml.Model.ConvertToOnnx(model.Transformer, new SchemaOnlyDataView(model.InputSchema), converted);
        }
        catch (Exception e) when (e is NotSupportedException or NotImplementedException or InvalidOperationException or ArgumentException or FormatException)
        {
            throw new InvalidModelException(
                $"The model file '{modelPath}' holds no CNN graph to export, and ML.NET's ConvertToOnnx cannot convert it: {FirstLine(e.Message)} " +
                "Only models whose every stage ML.NET can express in ONNX (such as the SDCA pipeline) convert.", e);
        }
        var bytes = converted.ToArray();
        CheckLoads(bytes, modelPath);
        AtomicFile.WriteAllBytes(outPath, bytes, overwrite);
        return OnnxExportMethod.ConvertToOnnx;
    }

    /// <summary>Loads <paramref name="onnx"/> into ONNX Runtime, which runs its shape inference; throws when it refuses the graph.</summary>
    private static void CheckLoads(byte[] onnx, string modelPath)
    {
        try
        {
            using var session = new InferenceSession(onnx);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidModelException(
                $"ML.NET's ConvertToOnnx turned '{modelPath}' into a graph ONNX Runtime does not load ({FirstLine(e.Message)}); nothing was written. " +
                "A pipeline fitted on 28 x 28 'Image' vectors does this: ConvertToOnnx keeps their 2-D shape and ONNX's LinearClassifier takes 1-D or 2-D input only. " +
                "Retrain it with `mlnetdigits train --trainer sdca`, which fits SDCA on flat image vectors.", e);
        }
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    /// <summary>The CNN graph stored in the model file, or null when it holds none (an SDCA model, for instance).</summary>
    private static byte[]? ReadEmbeddedGraph(string modelPath)
    {
        try
        {
            return CnnModelInfo.ReadOnnxFromModelFile(modelPath);
        }
        catch (InvalidDataException)
        {
            return null; // the file loaded as a model, so this says it has no CNN graph
        }
    }
}

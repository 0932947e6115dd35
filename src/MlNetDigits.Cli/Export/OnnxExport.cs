using Microsoft.ML;
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
/// without rows). The file is written to a temporary name and renamed.
/// </summary>
internal static class OnnxExport
{
    /// <summary>Writes <paramref name="model"/> as ONNX to <paramref name="outPath"/>; returns how it was made.</summary>
    /// <param name="model">A model loaded from its file.</param>
    /// <param name="outPath">The .onnx file to write.</param>
    /// <param name="overwrite">Replace an existing <paramref name="outPath"/> (else <see cref="IOException"/> when it exists).</param>
    /// <exception cref="InvalidModelException">The model holds no CNN graph and ML.NET cannot convert one of its stages.</exception>
    public static OnnxExportMethod Write(LoadedModel model, string outPath, bool overwrite)
    {
        var modelPath = model.FilePath ?? throw new ArgumentException("The model was not loaded from a file.", nameof(model));
        if (ReadEmbeddedGraph(modelPath) is { } graph)
        {
            AtomicFile.WriteAllBytes(outPath, graph, overwrite);
            return OnnxExportMethod.EmbeddedGraph;
        }
        var ml = new MLContext(0);
        try
        {
            AtomicFile.Write(outPath, stream => ml.Model.ConvertToOnnx(model.Transformer, new SchemaOnlyDataView(model.InputSchema), stream), overwrite);
        }
        catch (Exception e) when (e is NotSupportedException or NotImplementedException or InvalidOperationException or ArgumentException or FormatException)
        {
            throw new InvalidModelException(
                $"The model file '{modelPath}' holds no CNN graph to export, and ML.NET's ConvertToOnnx cannot convert it: {e.Message.Split('\n', 2)[0].Trim()} " +
                "Only models whose every stage ML.NET can express in ONNX (such as the SDCA pipeline) convert.", e);
        }
        return OnnxExportMethod.ConvertToOnnx;
    }

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

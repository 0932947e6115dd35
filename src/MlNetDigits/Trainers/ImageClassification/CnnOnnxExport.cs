using System.Reflection;
using MlNetDigits.Engine.Layers;
using MlNetDigits.Engine.Ood;
using MlNetDigits.Engine.Onnx;

namespace MlNetDigits;

/// <summary>
/// Exports a trained network with its normalisation, temperature, out-of-distribution threshold and
/// <see cref="CnnModelInfo"/> metadata to ONNX.
/// </summary>
internal static class CnnOnnxExport
{
    private static readonly string Version =
        typeof(CnnOnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    public static byte[] Export(Sequential network, CnnModelInfo info, OodScoreHead? oodHead) =>
        OnnxExporter.Export(network, Options(info, oodHead));

    /// <summary>
    /// The export options of a network described by <paramref name="info"/>: its normalisation, temperature and metadata,
    /// and its out-of-distribution head when it has one (described by <paramref name="info"/>'s Ood).
    /// </summary>
    public static OnnxExportOptions Options(CnnModelInfo info, OodScoreHead? oodHead)
    {
        if ((oodHead is null) != (info.Ood is null || info.IsEnsemble))
            throw new InvalidOperationException("An out-of-distribution head goes with its description in CnnModelInfo.Ood, and only for a single network.");
        var (scale, shift) = Normalization.ScaleAndShift(info.Mean, info.StandardDeviation, info.PixelScale, info.InputShape[0]);
        return new OnnxExportOptions
        {
            Channels = info.InputShape[0],
            Height = info.InputShape[1],
            Width = info.InputShape[2],
            Scale = scale,
            Shift = shift,
            Temperature = info.Temperature,
            OodHead = oodHead,
            InputName = info.InputColumnName,
            ProducerVersion = Version,
            Metadata = info.ToMetadata(),
            DocString = info.IsEnsemble
                ? $"MlNetDigits ensemble of {info.Members!.Count} CNNs over {info.InputShape[0]}x{info.InputShape[1]}x{info.InputShape[2]} raw pixels; classes {string.Join(" ", info.ClassNames)}."
                : $"MlNetDigits CNN ({string.Join(", ", info.Layers)}) over {info.InputShape[0]}x{info.InputShape[1]}x{info.InputShape[2]} raw pixels; classes {string.Join(" ", info.ClassNames)}.",
        };
    }
}

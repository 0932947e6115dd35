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

    public static byte[] Export(Sequential network, CnnModelInfo info, RelativeMahalanobis? oodStatistics) =>
        OnnxExporter.Export(network, Options(info, oodStatistics));

    /// <summary>
    /// The export options of a network described by <paramref name="info"/>: its normalisation, temperature and metadata,
    /// and its out-of-distribution head when it has statistics (and <paramref name="info"/> their threshold).
    /// </summary>
    public static OnnxExportOptions Options(CnnModelInfo info, RelativeMahalanobis? oodStatistics)
    {
        if (oodStatistics is not null && info.Ood is null)
            throw new InvalidOperationException("Out-of-distribution statistics need their threshold in CnnModelInfo.Ood.");
        var (scale, shift) = Normalization.ScaleAndShift(info.Mean, info.StandardDeviation, info.PixelScale, info.InputShape[0]);
        return new OnnxExportOptions
        {
            Channels = info.InputShape[0],
            Height = info.InputShape[1],
            Width = info.InputShape[2],
            Scale = scale,
            Shift = shift,
            Temperature = info.Temperature,
            OodStatistics = oodStatistics,
            OodThreshold = oodStatistics is null ? 0 : info.Ood!.Threshold,
            InputName = info.InputColumnName,
            ProducerVersion = Version,
            Metadata = info.ToMetadata(),
            DocString = info.IsEnsemble
                ? $"MlNetDigits ensemble of {info.Members!.Count} CNNs over {info.InputShape[0]}x{info.InputShape[1]}x{info.InputShape[2]} raw pixels; classes {string.Join(" ", info.ClassNames)}."
                : $"MlNetDigits CNN ({string.Join(", ", info.Layers)}) over {info.InputShape[0]}x{info.InputShape[1]}x{info.InputShape[2]} raw pixels; classes {string.Join(" ", info.ClassNames)}.",
        };
    }
}

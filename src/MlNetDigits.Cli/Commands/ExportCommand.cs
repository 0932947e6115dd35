using System.CommandLine;
using System.Globalization;
using MlNetDigits.Cli.Export;
using MlNetDigits.Cli.Reports;
using MlNetDigits.Cli.Training;
using MlNetDigits.Engine.Onnx;

namespace MlNetDigits.Cli.Commands;

/// <summary>
/// <c>mlnetdigits export --onnx MODEL.zip OUT.onnx [--force]</c>: writes a saved model as an ONNX file that ONNX Runtime (or
/// any ONNX tool) runs without ML.NET. A CNN is written as the graph embedded in its model file, byte for byte; any other
/// model (SDCA) is converted by ML.NET's ConvertToOnnx. Prints the file's inputs and outputs with their shapes, operator
/// sets and size. OUT is never half-written, and an existing OUT is kept unless --force is given.
/// </summary>
internal static class ExportCommand
{
    public static Command Create(CliEnvironment env)
    {
        var onnx = new Option<bool>("--onnx") { Description = "Export to ONNX (the only format so far; required)." };
        var force = new Option<bool>("--force") { Description = "Replace OUT when it exists." };
        var model = new Argument<string>("MODEL") { Description = ModelArguments.Description, HelpName = "MODEL.zip" };
        var output = new Argument<string>("OUT") { Description = "The ONNX file to write, e.g. cnn.onnx.", HelpName = "OUT.onnx" };
        var command = new Command("export",
            "Export a saved model to ONNX: mlnetdigits export --onnx MODEL.zip OUT.onnx [--force]. A CNN is written as the graph " +
            "embedded in its model file, byte for byte; SDCA (and any other ML.NET pipeline ML.NET can express in ONNX) is converted " +
            "by ML.NET's ConvertToOnnx. Prints the inputs and outputs with their shapes, the operator sets and the size. OUT is " +
            "written whole or not at all, and an existing OUT is kept unless --force is given.")
        {
            onnx, force, model, output,
        };
        command.SetAction((parse, cancellationToken) => CliApp.Guard(env, () =>
            RunAsync(env, parse.GetValue(onnx), parse.GetValue(model)!, parse.GetValue(output)!, parse.GetValue(force))));
        return command;
    }

    private static async Task<int> RunAsync(CliEnvironment env, bool onnx, string modelName, string outPath, bool force)
    {
        if (!onnx)
            throw new UsageException("export needs a format: pass --onnx (the only one so far), e.g. mlnetdigits export --onnx MODEL.zip OUT.onnx.");
        if (string.IsNullOrWhiteSpace(outPath))
            throw new UsageException("OUT needs a file name, e.g. cnn.onnx.");
        if (Directory.Exists(outPath))
            throw new UsageException($"OUT '{outPath}' is a folder; give the file to write, e.g. {Path.Combine(outPath, Path.GetFileNameWithoutExtension(modelName) + ".onnx")}.");
        var modelPath = ModelArguments.Resolve(modelName);
        if (string.Equals(Path.GetFullPath(modelPath), Path.GetFullPath(outPath), StringComparison.Ordinal))
            throw new UsageException($"OUT '{outPath}' is the model file itself; give another name, e.g. {Path.ChangeExtension(outPath, ".onnx")}.");
        if (File.Exists(outPath) && !force)
            throw new UsageException($"'{outPath}' already exists; pass --force to replace it, or choose another OUT.");

        using var model = ModelArguments.Load(modelName);
        var summary = ModelInspector.Inspect(model.Transformer);
        var method = OnnxExport.Write(model, outPath, overwrite: force);
        var info = OnnxModelInfo.ReadFile(outPath);

        var inv = CultureInfo.InvariantCulture;
        var how = method == OnnxExportMethod.EmbeddedGraph
            ? "the ONNX graph embedded in the model file, byte for byte"
            : "converted by ML.NET's ConvertToOnnx";
        await env.Out.WriteLineAsync($"Exported {modelPath} ({summary.Description}) to {outPath}: {how}.").ConfigureAwait(false);
        var opsets = string.Join(", ", info.OpsetVersions.OrderBy(o => o.Key, StringComparer.Ordinal)
            .Select(o => string.Create(inv, $"{(o.Key.Length == 0 ? "ai.onnx" : o.Key)} {o.Value}")));
        var producer = info.ProducerName.Length == 0 ? "unknown" : $"{info.ProducerName} {info.ProducerVersion}".TrimEnd();
        await env.Out.WriteLineAsync(string.Create(inv,
            $"  size {ReportWriter.Bytes(new FileInfo(outPath).Length)}, IR version {info.IrVersion}, opset {opsets}, producer {producer}")).ConfigureAwait(false);
        await WriteTensorsAsync(env.Out, "inputs", info.Inputs).ConfigureAwait(false);
        await WriteTensorsAsync(env.Out, "outputs", info.Outputs).ConfigureAwait(false);
        return CliApp.Success;
    }

    /// <summary>"  inputs:" then one "    Image: float (N, 1, 28, 28)" line per tensor.</summary>
    private static async Task WriteTensorsAsync(TextWriter output, string caption, IReadOnlyList<OnnxTensorInfo> tensors)
    {
        await output.WriteLineAsync($"  {caption}:").ConfigureAwait(false);
        foreach (var tensor in tensors)
            await output.WriteLineAsync($"    {tensor}").ConfigureAwait(false);
    }
}

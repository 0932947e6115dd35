using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using MlNetDigits.Cli.Reports;

namespace MlNetDigits.Cli.Commands;

/// <summary>
/// <c>mlnetdigits predict --model MODEL.zip FILE_OR_DIR...</c>: classifies PNG images of single digits (folders are scanned
/// for *.png) through the <see cref="DigitClassifier"/> facade, which preprocesses them the way MNIST was made, and prints
/// each file's digit, probability, runner-up and whether the prediction is unsure.
/// </summary>
internal static class PredictCommand
{
    public static Command Create(CliEnvironment env)
    {
        var model = new Option<string>("--model") { Description = ModelArguments.Description, Required = true, HelpName = "MODEL.zip" };
        var inputs = new Argument<string[]>("FILE_OR_DIR") { Description = "PNG files, or folders whose *.png files are classified.", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "Print one JSON array of {file, digit, probabilities, unsure} on stdout." };
        var threshold = new Option<float>("--threshold")
        {
            Description = "Flag a prediction unsure when its probability is below this (0..1).",
            DefaultValueFactory = _ => DigitClassifierOptions.Defaults.ConfidenceThreshold,
            HelpName = "P",
        };
        var command = new Command("predict", "Classify PNG images of handwritten digits with a saved model.") { model, inputs, json, threshold };
        command.SetAction((parse, cancellationToken) => CliApp.Guard(env, () =>
            RunAsync(env, parse.GetValue(model)!, parse.GetValue(inputs)!, parse.GetValue(json), parse.GetValue(threshold), cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(CliEnvironment env, string modelName, string[] inputs, bool json, float threshold, CancellationToken cancellationToken)
    {
        if (!(threshold is >= 0 and <= 1))
            throw new UsageException($"--threshold must be between 0 and 1, not {threshold.ToString(CultureInfo.InvariantCulture)}.");
        var files = ListFiles(inputs);
        using var classifier = LoadClassifier(ModelArguments.Resolve(modelName), threshold);

        var array = new JsonArray();
        int failures = 0;
        var nameWidth = files.Max(f => f.Length);
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            DigitPrediction prediction;
            try
            {
                prediction = classifier.Classify(await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception e) when (e is InvalidImageException or IOException or UnauthorizedAccessException)
            {
                failures++;
                await env.Error.WriteLineAsync($"mlnetdigits: {file}: {e.Message}").ConfigureAwait(false);
                continue;
            }
            if (json)
            {
                array.Add(new JsonObject
                {
                    ["file"] = file,
                    ["digit"] = prediction.Digit,
                    ["confidence"] = Math.Round(prediction.Confidence, 6),
                    ["probabilities"] = new JsonArray([.. prediction.Probabilities.Select(p => (JsonNode?)JsonValue.Create(Math.Round(p.Score, 6)))]),
                    ["classNames"] = new JsonArray([.. prediction.Probabilities.Select(p => (JsonNode?)JsonValue.Create(p.ClassName))]),
                    ["unsure"] = prediction.IsUnsure,
                    ["unsureReason"] = prediction.UnsureReason,
                });
                continue;
            }
            var runnerUp = prediction.Ranked.Count > 1 ? prediction.Ranked[1] : prediction.Best;
            await env.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{file.PadRight(nameWidth)}  {prediction.Digit}  {prediction.Confidence,7:P1}   next {runnerUp.ClassName} {runnerUp.Score,6:P1}{(prediction.IsUnsure ? $"   unsure: {prediction.UnsureReason}" : "")}")).ConfigureAwait(false);
        }
        if (json)
            await env.Out.WriteLineAsync(MetricsJson.Write(array)).ConfigureAwait(false);
        if (failures > 0)
        {
            await env.Error.WriteLineAsync($"mlnetdigits: {failures} of {files.Count} files could not be classified.").ConfigureAwait(false);
            return CliApp.Failure;
        }
        return CliApp.Success;
    }

    /// <summary>The digit facade over the model file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidModelException">The file is not a model, or not one that classifies 28 x 28 "Image" pixels into class probabilities (the message names the file).</exception>
    private static DigitClassifier LoadClassifier(string path, float threshold)
    {
        try
        {
            return DigitClassifier.Load(path, new DigitClassifierOptions { ConfidenceThreshold = threshold });
        }
        catch (ArgumentException e)
        {
            throw new InvalidModelException($"The model file '{path}' cannot classify digit images: {e.Message}", e);
        }
        catch (InvalidModelException e) when (!e.Message.Contains(path, StringComparison.Ordinal))
        {
            // The facade names a model by its name and version (e.g. a probe image giving NaN); the user needs the file.
            throw new InvalidModelException($"The model file '{path}' cannot be used: {e.Message}", e);
        }
    }

    /// <summary>The files to classify: each file as given, each folder's *.png files in name order.</summary>
    /// <exception cref="FileNotFoundException">An input does not exist, or a folder holds no PNG.</exception>
    private static List<string> ListFiles(string[] inputs)
    {
        var files = new List<string>();
        foreach (var input in inputs)
        {
            if (File.Exists(input))
            {
                files.Add(input);
            }
            else if (Directory.Exists(input))
            {
                var pngs = Directory.GetFiles(input, "*.png").Concat(Directory.GetFiles(input, "*.PNG")).Distinct().Order(StringComparer.Ordinal).ToList();
                if (pngs.Count == 0)
                    throw new FileNotFoundException($"Folder '{input}' holds no .png files.");
                files.AddRange(pngs);
            }
            else
            {
                throw new FileNotFoundException($"'{input}' not found: pass PNG files or folders holding them.");
            }
        }
        return files;
    }
}

using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MlNetDigits.Cli.Reports;

namespace MlNetDigits.Cli.Commands;

/// <summary>
/// <c>mlnetdigits predict --model MODEL.zip FILE_OR_DIR...</c>: classifies PNG images of single digits (folders are scanned
/// for *.png) through the <see cref="DigitClassifier"/> facade, which preprocesses them the way MNIST was made, and prints
/// each file's digit, probability, runner-up and whether the prediction is unsure, or that the image is not a digit and
/// why. With <c>--number</c> each image is read as a number (several digits on one line, <see cref="DigitClassifier.ReadNumber(GrayImage)"/>).
/// </summary>
internal static class PredictCommand
{
    public static Command Create(CliEnvironment env)
    {
        var model = new Option<string>("--model") { Description = ModelArguments.Description, Required = true, HelpName = "MODEL.zip" };
        var inputs = new Argument<string[]>("FILE_OR_DIR") { Description = "PNG files, or folders whose *.png files are classified.", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "Print one JSON array on stdout: per file {file, digit, confidence, confidenceText, isDigit, notADigitReason, ...}, or with --number {file, text, isNumber, digits, ...}." };
        var threshold = new Option<float>("--threshold")
        {
            Description = "Flag a prediction unsure when its probability is below this (0..1).",
            DefaultValueFactory = _ => DigitClassifierOptions.Defaults.ConfidenceThreshold,
            HelpName = "P",
        };
        var number = new Option<bool>("--number")
        {
            Description = "Read each image as a number: several digits on one line, segmented and classified one by one ('?' for ink that is not a digit).",
        };
        var command = new Command("predict", "Classify PNG images of handwritten digits (or, with --number, read numbers) with a saved model.") { model, inputs, json, threshold, number };
        command.SetAction((parse, cancellationToken) => CliApp.Guard(env, () =>
            RunAsync(env, parse.GetValue(model)!, parse.GetValue(inputs)!, parse.GetValue(json), parse.GetValue(threshold), parse.GetValue(number), cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(CliEnvironment env, string modelName, string[] inputs, bool json, float threshold, bool number, CancellationToken cancellationToken)
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
            GrayImage image;
            try
            {
                image = ImageCodec.Decode(await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception e) when (e is InvalidImageException or IOException or UnauthorizedAccessException)
            {
                failures++;
                await env.Error.WriteLineAsync($"mlnetdigits: {file}: {e.Message}").ConfigureAwait(false);
                continue;
            }
            if (number)
            {
                var reading = classifier.ReadNumber(image);
                if (json)
                    array.Add(NumberJson(file, reading, image));
                else
                    await env.Out.WriteAsync(NumberLines(file.PadRight(nameWidth), reading)).ConfigureAwait(false);
                continue;
            }
            var prediction = classifier.Classify(image);
            if (json)
            {
                var entry = PredictionJson(prediction);
                entry.Insert(0, "file", file);
                array.Add(entry);
                continue;
            }
            await env.Out.WriteLineAsync($"{file.PadRight(nameWidth)}  {PredictionText(prediction)}").ConfigureAwait(false);
        }
        if (json)
            await env.Out.WriteLineAsync(MetricsJson.Write(array)).ConfigureAwait(false);
        if (failures > 0)
        {
            await env.Error.WriteLineAsync($"mlnetdigits: {failures} of {files.Count} files could not be {(number ? "read" : "classified")}.").ConfigureAwait(false);
            return CliApp.Failure;
        }
        return CliApp.Success;
    }

    /// <summary>
    /// One prediction in words: "7  99.96 %   next 1 0.02 %" (with "   unsure: WHY" when unsure), or
    /// "not a digit: WHY" when the image is not a digit (never the digit the model would have guessed).
    /// </summary>
    public static string PredictionText(DigitPrediction prediction)
    {
        if (!prediction.IsDigit)
            return $"not a digit: {prediction.UnsureReason ?? prediction.NotADigitReason.ToJsonName()}";
        var runnerUp = prediction.Ranked.Count > 1 ? prediction.Ranked[1] : prediction.Best;
        return $"{prediction.Digit}  {prediction.ConfidenceText,9}   next {runnerUp.ClassName} {ConfidenceFormat.Percent(runnerUp.Score)}" +
               (prediction.IsUnsure ? $"   unsure: {prediction.UnsureReason}" : "");
    }

    /// <summary>
    /// One reading in words: "NAME  2024   4 digits: 2 (99.96 %) 0 (98.1 %) ...", "unsure" after the number when it is,
    /// and each reason on its own indented line.
    /// </summary>
    public static string NumberLines(string name, NumberReading reading)
    {
        var sb = new StringBuilder();
        sb.Append(name).Append("  ").Append(reading.Digits.Count == 0 ? "(blank)" : reading.Text);
        if (reading.IsUnsure)
            sb.Append("  unsure");
        if (reading.Digits.Count > 0)
        {
            sb.Append(string.Create(CultureInfo.InvariantCulture, $"   {reading.Digits.Count} digit{(reading.Digits.Count == 1 ? "" : "s")}:"));
            foreach (var d in reading.Digits)
                sb.Append(' ').Append(d.Prediction.IsDigit
                    ? $"{d.Prediction.Digit} ({d.Prediction.ConfidenceText})"
                    : $"? (not a digit: {d.Prediction.NotADigitReason})");
        }
        sb.Append('\n');
        foreach (var reason in reading.UnsureReasons)
            sb.Append("    ").Append(reason).Append('\n');
        return sb.ToString();
    }

    /// <summary>
    /// The JSON fields of one prediction: digit (null when the image is not a digit), bestGuess (the class the model ranks
    /// first, even then), confidence, confidenceText, isDigit, notADigitReason (camelCase, null for a digit),
    /// notADigitScore (null for a model without one), probabilities, classNames, unsure, unsureReason.
    /// </summary>
    public static JsonObject PredictionJson(DigitPrediction prediction) => new()
    {
        ["digit"] = prediction.IsDigit ? prediction.Digit : null,
        ["bestGuess"] = prediction.Digit,
        ["confidence"] = Math.Round(prediction.Confidence, 6),
        ["confidenceText"] = prediction.ConfidenceText,
        ["isDigit"] = prediction.IsDigit,
        ["notADigitReason"] = prediction.NotADigitReason.ToJsonName(),
        ["notADigitScore"] = prediction.NotADigitScore is { } score && float.IsFinite(score) ? Math.Round(score, 6) : null,
        ["probabilities"] = new JsonArray([.. prediction.Probabilities.Select(p => (JsonNode?)JsonValue.Create(Math.Round(p.Score, 6)))]),
        ["classNames"] = new JsonArray([.. prediction.Probabilities.Select(p => (JsonNode?)JsonValue.Create(p.ClassName))]),
        ["unsure"] = prediction.IsUnsure,
        ["unsureReason"] = prediction.UnsureReason,
    };

    /// <summary>The JSON of one reading: file, text, isNumber, unsure, unsureReasons, the image's size and each digit (box, segmentation, prediction).</summary>
    private static JsonObject NumberJson(string file, NumberReading reading, GrayImage image) => new()
    {
        ["file"] = file,
        ["text"] = reading.Text,
        ["isNumber"] = reading.IsNumber,
        ["unsure"] = reading.IsUnsure,
        ["unsureReasons"] = new JsonArray([.. reading.UnsureReasons.Select(r => (JsonNode?)JsonValue.Create(r))]),
        ["width"] = image.Width,
        ["height"] = image.Height,
        ["digits"] = new JsonArray([.. reading.Digits.Select(d => (JsonNode?)new JsonObject
        {
            ["box"] = new JsonObject { ["x"] = d.Bounds.X, ["y"] = d.Bounds.Y, ["width"] = d.Bounds.Width, ["height"] = d.Bounds.Height },
            ["segmentationConfidence"] = Math.Round(d.SegmentationConfidence, 6),
            ["wasSplit"] = d.WasSplit,
            ["prediction"] = PredictionJson(d.Prediction),
        })]),
    };

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

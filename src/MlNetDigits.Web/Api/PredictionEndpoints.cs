using MlNetDigits.Web.Models;

namespace MlNetDigits.Web.Api;

/// <summary>
/// <c>POST /api/predict</c> (one image), <c>POST /api/predict/batch</c> (up to 256) and <c>POST /api/compare</c> (every
/// model, for the draw page). The model is chosen by name (<c>?model=cnn</c>), never by path.
/// </summary>
public static class PredictionEndpoints
{
    /// <summary>Maps the prediction endpoints.</summary>
    public static void MapPredictionEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/predict", PredictAsync).WithName("Predict").DisableAntiforgery();
        app.MapPost("/api/predict/batch", PredictBatchAsync).WithName("PredictBatch").DisableAntiforgery();
        app.MapPost("/api/compare", CompareAsync).WithName("Compare").DisableAntiforgery();
    }

    private static async Task<IResult> PredictAsync(HttpContext context, ModelCatalog catalog, WebOptions options, string? model, string? image)
    {
        try
        {
            var (name, classifier) = Resolve(catalog, model);
            var includeImage = ParseFlag(image, "image");
            var request = await ImageRequestReader.ReadSingleAsync(context.Request, options.MaxSingleRequestBytes, context.RequestAborted);
            return Results.Ok(PredictionResponse.From(name, Classify(classifier, request, "the image"), includeImage));
        }
        catch (ApiProblemException e)
        {
            return e.ToResult();
        }
    }

    private static async Task<IResult> PredictBatchAsync(HttpContext context, ModelCatalog catalog, WebOptions options, string? model, string? image)
    {
        try
        {
            var (name, classifier) = Resolve(catalog, model);
            var includeImage = ParseFlag(image, "image");
            var requests = await ImageRequestReader.ReadBatchAsync(context.Request, options.MaxBatchRequestBytes, options.MaxBatchSize, context.RequestAborted);
            var predictions = new PredictionResponse[requests.Count];
            for (int i = 0; i < predictions.Length; i++)
                predictions[i] = PredictionResponse.From(name, Classify(classifier, requests[i], $"images[{i}]"), includeImage);
            return Results.Ok(new BatchResponse(name, predictions[0].ModelVersion, predictions.Length, predictions));
        }
        catch (ApiProblemException e)
        {
            return e.ToResult();
        }
    }

    private static async Task<IResult> CompareAsync(HttpContext context, ModelCatalog catalog, WebOptions options)
    {
        try
        {
            var request = await ImageRequestReader.ReadSingleAsync(context.Request, options.MaxSingleRequestBytes, context.RequestAborted);
            var gray = Decode(request);
            var preprocessed = request.Preprocess ? DigitPreprocessor.Preprocess(gray) : null;
            var seen = preprocessed?.Final ?? gray;
            var entries = new List<CompareEntry>();
            foreach (var served in catalog.Names.Select(catalog.Find))
            {
                if (served!.Classifier is not { } classifier)
                {
                    entries.Add(new CompareEntry(served.Name, false, served.Error, null));
                    continue;
                }
                var prediction = request.Preprocess ? classifier.Classify(gray) : classifier.Classify28x28(gray.Pixels);
                entries.Add(new CompareEntry(served.Name, true, null, PredictionResponse.From(served.Name, prediction, includeImage: false)));
            }
            var hasInk = preprocessed?.HasInk ?? seen.Pixels.Any(v => v > DigitPreprocessorOptions.Defaults.InkThreshold);
            return Results.Ok(new CompareResponse(hasInk, PredictionResponse.DataUrl(seen), entries));
        }
        catch (ApiProblemException e)
        {
            return e.ToResult();
        }
    }

    /// <summary>The served model called <paramref name="name"/> (default: the first configured, "cnn").</summary>
    internal static (string Name, DigitClassifier Classifier) Resolve(ModelCatalog catalog, string? name)
    {
        name ??= catalog.Names[0];
        var served = catalog.Find(name) ?? throw ApiProblemException.NotFound("Unknown model",
            $"This server serves the models {string.Join(", ", catalog.Names.Select(n => $"'{n}'"))}; '{Truncate(name)}' is not one of them. Pass ?model=<name>.");
        if (served.Classifier is not { } classifier)
            throw new ApiProblemException(StatusCodes.Status503ServiceUnavailable, "Model not available", served.Error ?? $"Model '{served.Name}' is not loaded.");
        return (served.Name, classifier);
    }

    internal static bool ParseFlag(string? value, string name) => value?.ToLowerInvariant() switch
    {
        null or "" or "false" or "0" => false,
        "true" or "1" => true,
        _ => throw ApiProblemException.BadRequest("Invalid query parameter", $"'{name}' must be true or false; found '{Truncate(value)}'."),
    };

    internal static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "...";

    private static DigitPrediction Classify(DigitClassifier classifier, ImageRequest request, string where)
    {
        try
        {
            if (request.Png is { } png)
                return classifier.Classify(DecodePng(png, where));
            return request.Preprocess
                ? classifier.Classify(request.Pixels, request.Width, request.Height)
                : classifier.Classify28x28(request.Pixels);
        }
        catch (ArgumentException e)
        {
            throw ApiProblemException.BadRequest("Invalid image", $"{Capital(where)}: {e.Message}");
        }
    }

    private static GrayImage Decode(ImageRequest request)
    {
        if (request.Png is { } png)
            return DecodePng(png, "the image");
        try
        {
            return GrayImage.FromFloats(request.Width, request.Height, request.Pixels);
        }
        catch (ArgumentException e)
        {
            throw ApiProblemException.BadRequest("Invalid image", e.Message);
        }
    }

    /// <summary>The 8 bytes every PNG file starts with.</summary>
    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// Decodes a PNG with the library's <see cref="ImageCodec"/> (which refuses images over 4096 px a side from the header).
    /// The codec reads JPEG, GIF, WebP and BMP too; the API takes PNG only, as its content type and field names say, so
    /// anything else is refused before it reaches the codec.
    /// </summary>
    private static GrayImage DecodePng(byte[] png, string where)
    {
        if (!png.AsSpan().StartsWith(PngSignature))
            throw ApiProblemException.BadRequest("Invalid PNG",
                $"{Capital(where)} is not a PNG this server can read: Not a PNG file: it starts with {Convert.ToHexString(png.AsSpan(0, Math.Min(8, png.Length)))}, not the PNG signature 89504E470D0A1A0A.");
        try
        {
            return ImageCodec.Decode(png);
        }
        catch (InvalidImageException e)
        {
            throw ApiProblemException.BadRequest("Invalid PNG", $"{Capital(where)} is not a PNG this server can read: {e.Message}");
        }
    }

    private static string Capital(string s) => char.ToUpperInvariant(s[0]) + s[1..];
}

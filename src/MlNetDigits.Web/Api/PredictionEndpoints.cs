using System.Globalization;
using MlNetDigits.Web.Models;

namespace MlNetDigits.Web.Api;

/// <summary>
/// <c>POST /api/predict</c> (one image), <c>POST /api/predict/batch</c> (up to 256) and <c>POST /api/compare</c> (every
/// model, for the draw page). The model is chosen by name (<c>?model=cnn</c>), never by path. The work of a request is
/// bounded: its body by size, its images by count and by the pixels they decode to (each PNG's size read from its header
/// before any is decoded), and it stops when the client hangs up (<see cref="HttpContext.RequestAborted"/>).
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
            CheckPixelBudget([request], batch: false, options.MaxPixelsPerRequest, context.RequestAborted);
            context.RequestAborted.ThrowIfCancellationRequested();
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
            CheckPixelBudget(requests, batch: true, options.MaxPixelsPerRequest, context.RequestAborted);
            var predictions = new PredictionResponse[requests.Count];
            for (int i = 0; i < predictions.Length; i++)
            {
                // A client that hung up gets nothing more: stop before the next image rather than after the last.
                context.RequestAborted.ThrowIfCancellationRequested();
                predictions[i] = PredictionResponse.From(name, Classify(classifier, requests[i], $"images[{i}]"), includeImage);
            }
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
            CheckPixelBudget([request], batch: false, options.MaxPixelsPerRequest, context.RequestAborted);
            context.RequestAborted.ThrowIfCancellationRequested();
            var gray = Decode(request);
            var preprocessed = request.Preprocess ? DigitPreprocessor.Preprocess(gray) : null;
            var seen = preprocessed?.Final ?? gray;
            var entries = new List<CompareEntry>();
            foreach (var served in catalog.Names.Select(catalog.Find))
            {
                context.RequestAborted.ThrowIfCancellationRequested();
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

    internal static DigitPrediction Classify(DigitClassifier classifier, ImageRequest request, string where)
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

    internal static GrayImage Decode(ImageRequest request)
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

    /// <summary>
    /// Refuses (413) a request whose images would decode to more than <paramref name="budget"/> pixels in all, before any is
    /// decoded: a PNG's size comes from its header (a 16 KB PNG can declare 4096 x 4096 blank pixels), pixels sent as JSON
    /// count as they are. A PNG that is not one, or is over 4096 px a side, is refused (400) here too.
    /// </summary>
    internal static void CheckPixelBudget(IReadOnlyList<ImageRequest> images, bool batch, int budget, CancellationToken cancellationToken)
    {
        long total = 0;
        for (int i = 0; i < images.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (width, height) = SizeOf(images[i], batch ? $"images[{i}]" : "the image");
            total += (long)width * height;
        }
        if (total > budget)
            throw new ApiProblemException(StatusCodes.Status413PayloadTooLarge, "Too many pixels", string.Create(CultureInfo.InvariantCulture,
                $"The {(!batch ? "image decodes" : images.Count == 1 ? "batch's image decodes" : $"batch's {images.Count} images decode")} to {total:N0} pixels; this server decodes at most {budget:N0} per request (Web:MaxPixelsPerRequest). Send fewer or smaller images, or split the batch."));
    }

    /// <summary>An image's width and height: a PNG's from its header (nothing decoded), pixels' as sent.</summary>
    private static (int Width, int Height) SizeOf(ImageRequest request, string where)
    {
        if (request.Png is not { } png)
            return (request.Width, request.Height);
        CheckPngSignature(png, where);
        (int width, int height) size;
        try
        {
            size = ImageCodec.ReadSize(png);
        }
        catch (InvalidImageException e)
        {
            throw ApiProblemException.BadRequest("Invalid PNG", $"{Capital(where)} is not a PNG this server can read: {e.Message}");
        }
        if (size.width < 1 || size.height < 1 || size.width > ImageCodec.MaxDimension || size.height > ImageCodec.MaxDimension)
            throw ApiProblemException.BadRequest("Invalid PNG",
                $"{Capital(where)} is not a PNG this server can read: it declares {size.width} x {size.height} pixels; images are 1 to {ImageCodec.MaxDimension} pixels a side. Scale it down first.");
        return size;
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
        CheckPngSignature(png, where);
        try
        {
            return ImageCodec.Decode(png);
        }
        catch (InvalidImageException e)
        {
            throw ApiProblemException.BadRequest("Invalid PNG", $"{Capital(where)} is not a PNG this server can read: {e.Message}");
        }
    }

    private static void CheckPngSignature(byte[] png, string where)
    {
        if (!png.AsSpan().StartsWith(PngSignature))
            throw ApiProblemException.BadRequest("Invalid PNG",
                $"{Capital(where)} is not a PNG this server can read: Not a PNG file: it starts with {Convert.ToHexString(png.AsSpan(0, Math.Min(8, png.Length)))}, not the PNG signature 89504E470D0A1A0A.");
    }

    private static string Capital(string s) => char.ToUpperInvariant(s[0]) + s[1..];
}

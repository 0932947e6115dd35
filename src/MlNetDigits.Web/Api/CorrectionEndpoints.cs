using Microsoft.Data.Sqlite;
using MlNetDigits.Web.Corrections;
using MlNetDigits.Web.Models;

namespace MlNetDigits.Web.Api;

/// <summary>
/// <c>POST /api/corrections?model=cnn&amp;label=4[&amp;predicted=9][&amp;version=...]</c>: a person says what a drawing really
/// is. The body is the image that was answered, in any form <c>/api/predict</c> takes, under the same limits. The server
/// classifies it again with the named model and stores, in the SQLite file of <see cref="WebOptions.CorrectionsPath"/>, the
/// right label, the 28x28 pixels the model saw, what the model answered, the model's file name and version, and the drawing.
/// <c>predicted</c> and <c>version</c>, when given, must match what the model answers now (409 otherwise), so that a
/// correction is never stored against an answer the model did not give. <c>GET /api/corrections/count</c> says how many are kept.
/// </summary>
public static class CorrectionEndpoints
{
    /// <summary>The value of <c>predicted</c> for an answer "not a digit".</summary>
    public const string NotADigit = "none";

    /// <summary>Maps the endpoints.</summary>
    public static void MapCorrectionEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/corrections", AddAsync).WithName("AddCorrection").DisableAntiforgery();
        app.MapGet("/api/corrections/count", Count).WithName("CorrectionCount");
    }

    private static async Task<IResult> AddAsync(HttpContext context, ModelCatalog catalog, CorrectionLog log, WebOptions options,
        ILogger<CorrectionLog> logger, string? model, string? label, string? predicted, string? version)
    {
        try
        {
            var (name, classifier) = PredictionEndpoints.Resolve(catalog, model);
            var classes = classifier.ClassNames;
            var right = ParseLabel(label, classes, name);
            if (predicted is not null && predicted != NotADigit && !classes.Contains(predicted))
                throw ApiProblemException.BadRequest("Invalid answer",
                    $"'predicted' is what model '{name}' answered: one of its classes {string.Join(", ", classes)}, or '{NotADigit}' for \"not a digit\"; found '{PredictionEndpoints.Truncate(predicted)}'.");
            var request = await ImageRequestReader.ReadSingleAsync(context.Request, options.MaxSingleRequestBytes, context.RequestAborted);
            PredictionEndpoints.CheckPixelBudget([request], batch: false, options.MaxPixelsPerRequest, context.RequestAborted);
            context.RequestAborted.ThrowIfCancellationRequested();
            var prediction = PredictionEndpoints.Classify(classifier, request, "the image");
            if (prediction.NotADigitReason == NotADigitReason.Blank)
                throw ApiProblemException.BadRequest("Blank image", "The image has no ink: there is nothing to learn from. Send the drawing that was answered.");
            var answered = prediction.IsDigit ? prediction.Digit : NotADigit;
            if (version is not null && version != prediction.Model.Version)
                throw new ApiProblemException(StatusCodes.Status409Conflict, "The model changed",
                    $"The answer being corrected came from version {PredictionEndpoints.Truncate(version)} of model '{name}'; it serves version {prediction.Model.Version} now, which answers this image {Describe(answered)}. Ask it again and correct its new answer.");
            if (predicted is not null && predicted != answered)
                throw new ApiProblemException(StatusCodes.Status409Conflict, "Not the model's answer",
                    $"Model '{name}' (version {prediction.Model.Version}) answers this image {Describe(answered)}, not {Describe(predicted)} as the request says: send the image that was answered, or ask again.");
            var drawing = DrawingOf(request);
            if (drawing is { Length: > CorrectionStore.MaxDrawingBytes })
                throw new ApiProblemException(StatusCodes.Status413PayloadTooLarge, "Drawing too large",
                    $"The drawing is {drawing.Length:N0} bytes; corrections keep drawings of at most {CorrectionStore.MaxDrawingBytes:N0}. Send a smaller image.");

            var store = log.Store();
            var correction = store.Add(right, prediction.Image.Pixels, prediction.IsDigit ? prediction.Digit : null,
                prediction.Model.Name, prediction.Model.Version, drawing);
            var count = store.Count();
            logger.LogInformation("Correction {Id}: model '{Model}' ({File} {Version}) answered {Answered}, it was {Label}", correction.Id, name,
                correction.ModelName, correction.ModelVersion, answered, right);
            return Results.Json(new CorrectionResponse(correction.Id, correction.CreatedAt, correction.Label, correction.Predicted, name,
                correction.ModelName, correction.ModelVersion, count, log.DisplayPath), statusCode: StatusCodes.Status201Created);
        }
        catch (ApiProblemException e)
        {
            return e.ToResult();
        }
        catch (CorrectionsUnavailableException e)
        {
            return Unavailable(e.Message);
        }
        catch (SqliteException e)
        {
            logger.LogError(e, "Storing a correction in {Path} failed", log.FullPath);
            return Unavailable($"The correction could not be stored in {log.DisplayPath}: {e.Message}");
        }
    }

    private static IResult Count(CorrectionLog log)
    {
        try
        {
            return Results.Ok(new CorrectionCountResponse(log.Count(), log.DisplayPath));
        }
        catch (CorrectionsUnavailableException e)
        {
            return Unavailable(e.Message);
        }
        catch (SqliteException e)
        {
            return Unavailable($"The corrections in {log.DisplayPath} cannot be counted: {e.Message}");
        }
    }

    /// <summary>The right label: a digit 0..9 that is one of the model's classes.</summary>
    private static uint ParseLabel(string? label, IReadOnlyList<string> classes, string model)
    {
        if (string.IsNullOrEmpty(label))
            throw ApiProblemException.BadRequest("Missing label", "Say what the drawing really is: ?label=0 to 9.");
        if (label.Length != 1 || label[0] is < '0' or > '9')
            throw ApiProblemException.BadRequest("Invalid label", $"The label is the digit the drawing really is, 0 to 9; found '{PredictionEndpoints.Truncate(label)}'.");
        if (!classes.Contains(label))
            throw ApiProblemException.BadRequest("Invalid label", $"Model '{model}' has the classes {string.Join(", ", classes)}; '{label}' is not one of them.");
        return (uint)(label[0] - '0');
    }

    /// <summary>The drawing as kept: a PNG as sent, pixels of a drawing as an 8-bit gray PNG, nothing for MNIST-format pixels (they are the pixels kept).</summary>
    private static byte[]? DrawingOf(ImageRequest request) =>
        request.Png ?? (request.Preprocess ? ImageCodec.EncodePng(PredictionEndpoints.Decode(request)) : null);

    private static string Describe(string answer) => answer == NotADigit ? "\"not a digit\"" : $"'{PredictionEndpoints.Truncate(answer)}'";

    private static IResult Unavailable(string detail) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Corrections not available");
}

/// <summary>A stored correction, as <c>POST /api/corrections</c> answers it (201).</summary>
/// <param name="Id">The correction's id in the store (1, 2, ...).</param>
/// <param name="CreatedAt">When it was stored (UTC).</param>
/// <param name="Label">The right digit.</param>
/// <param name="Predicted">What the model answered (a class name), or null when it said "not a digit".</param>
/// <param name="Model">The model's name in this app ("cnn").</param>
/// <param name="ModelName">The model file's name without extension ("cnn-best"), as kept in the store.</param>
/// <param name="ModelVersion">The model's version (the first 12 hex digits of its file's SHA-256).</param>
/// <param name="Count">How many corrections the store holds now.</param>
/// <param name="Store">The store's file, relative to the app's base folder (or its name alone when elsewhere).</param>
public sealed record CorrectionResponse(long Id, DateTimeOffset CreatedAt, uint Label, string? Predicted, string Model, string ModelName,
    string ModelVersion, long Count, string Store);

/// <summary>How many corrections are kept, and where.</summary>
/// <param name="Count">The number of corrections stored (0 while the file does not exist).</param>
/// <param name="Store">The store's file, relative to the app's base folder (or its name alone when elsewhere).</param>
public sealed record CorrectionCountResponse(long Count, string Store);

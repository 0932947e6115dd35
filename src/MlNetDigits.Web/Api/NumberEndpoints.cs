using MlNetDigits.Web.Models;

namespace MlNetDigits.Web.Api;

/// <summary>
/// <c>POST /api/read-number?model=cnn</c>: reads a number (several digits side by side on one line) in one drawing, with
/// <see cref="DigitClassifier.ReadNumber(GrayImage)"/>. The body is an image as for <c>/api/predict</c> (PNG, multipart or
/// JSON pixels of any size) under the same limits: the body size, 4096 px a side and the pixel budget. The model is chosen
/// by name; by default the first configured, the CNN.
/// </summary>
public static class NumberEndpoints
{
    /// <summary>Maps the endpoint.</summary>
    public static void MapNumberEndpoints(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/read-number", ReadNumberAsync).WithName("ReadNumber").DisableAntiforgery();

    private static async Task<IResult> ReadNumberAsync(HttpContext context, ModelCatalog catalog, WebOptions options, string? model, string? image)
    {
        try
        {
            var (name, classifier) = PredictionEndpoints.Resolve(catalog, model);
            var includeImage = PredictionEndpoints.ParseFlag(image, "image");
            var request = await ImageRequestReader.ReadSingleAsync(context.Request, options.MaxSingleRequestBytes, context.RequestAborted);
            if (!request.Preprocess)
                throw ApiProblemException.BadRequest("Invalid image",
                    "\"preprocess\": false sends one MNIST-format digit; a number is read from a drawing of any size, which the server cuts into digits and preprocesses itself. Leave \"preprocess\" out.");
            PredictionEndpoints.CheckPixelBudget([request], batch: false, options.MaxPixelsPerRequest, context.RequestAborted);
            context.RequestAborted.ThrowIfCancellationRequested();
            var gray = PredictionEndpoints.Decode(request);
            NumberReading reading;
            try
            {
                reading = classifier.ReadNumber(gray);
            }
            catch (ArgumentException e)
            {
                throw ApiProblemException.BadRequest("Invalid image", $"The image: {e.Message}");
            }
            return Results.Ok(NumberResponse.From(name, classifier.Model.Version, reading, gray.Width, gray.Height, includeImage));
        }
        catch (ApiProblemException e)
        {
            return e.ToResult();
        }
    }
}

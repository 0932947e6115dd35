using MlNetDigits.Web.Datasets;
using MlNetDigits.Web.Models;

namespace MlNetDigits.Web.Api;

/// <summary><c>GET /api/health</c>, <c>GET /api/models</c> and <c>GET /api/models/{name}</c>.</summary>
public static class StatusEndpoints
{
    /// <summary>Maps the status endpoints.</summary>
    public static void MapStatusEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/health", Health).WithName("Health");
        app.MapGet("/api/models", (ModelCatalog catalog, WebOptions options, AppFolders folders) =>
            Results.Ok(catalog.Names.Select(n => ModelInfoResponse.From(catalog.Find(n)!, options.WatchModels, folders)).ToArray())).WithName("Models");
        app.MapGet("/api/models/{name}", (ModelCatalog catalog, WebOptions options, AppFolders folders, string name) =>
            catalog.Find(name) is { } model
                ? Results.Ok(ModelInfoResponse.From(model, options.WatchModels, folders))
                : ApiProblemException.NotFound("Unknown model",
                    $"This server serves the models {string.Join(", ", catalog.Names.Select(n => $"'{n}'"))}; '{PredictionEndpoints.Truncate(name)}' is not one of them.").ToResult())
            .WithName("ModelInfo");
    }

    /// <summary>
    /// "healthy" (200) when every model is served, "degraded" (200) when some are missing, "unhealthy" (503) when none is.
    /// </summary>
    private static IResult Health(ModelCatalog catalog, DatasetStore store)
    {
        var models = catalog.Names.Select(catalog.Find).Select(m => new
        {
            name = m!.Name,
            status = m.Classifier is null ? "missing" : "ready",
            version = m.Classifier?.Model.Version,
            error = m.Error,
        }).ToArray();
        var ready = models.Count(m => m.status == "ready");
        var status = ready == models.Length ? "healthy" : ready > 0 ? "degraded" : "unhealthy";
        var body = new { status, models, dataset = store.Info.Name };
        return Results.Json(body, statusCode: ready > 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}

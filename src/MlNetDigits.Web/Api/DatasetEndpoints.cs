using System.Globalization;
using Microsoft.Net.Http.Headers;
using MlNetDigits.Web.Datasets;
using MlNetDigits.Web.Models;

namespace MlNetDigits.Web.Api;

/// <summary>
/// The dataset browser's data: <c>GET /api/dataset</c> (which data set), <c>GET /api/dataset/{split}?digit=&amp;page=</c>
/// (a page of 100 image indices), <c>GET /api/dataset/{split}/{index}.png</c> (one image) and
/// <c>GET /api/misclassified?model=&amp;digit=&amp;page=</c>. Split, digit, page and index are parsed as an enum and
/// integers and checked against the data; nothing from a request becomes part of a path.
/// </summary>
public static class DatasetEndpoints
{
    /// <summary>Maps the dataset endpoints.</summary>
    public static void MapDatasetEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/dataset", Info).WithName("DatasetInfo");
        app.MapGet("/api/dataset/{split}", Page).WithName("DatasetPage");
        app.MapGet("/api/dataset/{split}/{index}.png", Image).WithName("DatasetImage");
        app.MapGet("/api/misclassified", Misclassified).WithName("Misclassified");
    }

    private static IResult Info(DatasetStore store) => Results.Ok(new
    {
        name = store.Info.Name,
        description = store.Info.Description,
        note = store.Note,
        splits = Enum.GetValues<DatasetSplit>().Where(store.HasSplit).Select(s =>
        {
            var data = store.Get(s);
            return new { split = SplitName(s), count = data.Count, perDigit = data.CountsByDigit() };
        }).ToArray(),
    });

    private static IResult Page(DatasetStore store, WebOptions options, string split, string? digit, string? page)
    {
        try
        {
            var s = ParseSplit(split);
            var d = ParseDigit(digit);
            var data = Load(store, s);
            IReadOnlyList<int> indices = d is { } x ? data.IndicesOf(x) : new RangeList(data.Count);
            var (number, pageCount) = ParsePage(page, indices.Count, options.PageSize,
                $"the {SplitName(s)} split{(d is { } y ? $" filtered to digit {y}" : "")}");
            var start = (number - 1) * options.PageSize;
            var items = new object[Math.Min(options.PageSize, indices.Count - start)];
            for (int i = 0; i < items.Length; i++)
            {
                var index = indices[start + i];
                items[i] = new { index, label = data.Label(index) };
            }
            return Results.Ok(new
            {
                dataset = store.Info.Name,
                split = SplitName(s),
                digit = d,
                page = number,
                pageCount,
                pageSize = options.PageSize,
                total = indices.Count,
                items,
            });
        }
        catch (ApiProblemException e)
        {
            return e.ToResult();
        }
    }

    private static IResult Image(HttpContext context, DatasetStore store, string split, string index)
    {
        try
        {
            var s = ParseSplit(split);
            var data = Load(store, s);
            if (!int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out var i) || i >= data.Count)
                throw ApiProblemException.NotFound("No such image", $"The {SplitName(s)} split has images 0 to {data.Count - 1}; '{PredictionEndpoints.Truncate(index)}' is not one of them.");
            var etag = new EntityTagHeaderValue($"\"{store.Info.Name}-{SplitName(s)}-{i}\"");
            var headers = context.Response.GetTypedHeaders();
            headers.CacheControl = new CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromDays(1) };
            headers.ETag = etag;
            if (context.Request.GetTypedHeaders().IfNoneMatch.Any(t => t.Compare(etag, useStrongComparison: false)))
                return Results.StatusCode(StatusCodes.Status304NotModified);
            return Results.Bytes(store.Png(s, i), "image/png");
        }
        catch (ApiProblemException e)
        {
            return e.ToResult();
        }
    }

    private static IResult Misclassified(ModelCatalog catalog, DatasetStore store, MisclassifiedIndex index, WebOptions options,
        string? model, string? digit, string? page)
    {
        try
        {
            var (name, classifier) = PredictionEndpoints.Resolve(catalog, model);
            var d = ParseDigit(digit);
            Load(store, DatasetSplit.Test);
            var scoring = index.Get(name, classifier);
            if (scoring.Failure is { } failure)
                throw new ApiProblemException(StatusCodes.Status500InternalServerError, "Scoring failed", $"Scoring the test split with '{name}' failed: {failure}");
            if (scoring.Errors is not { } errors)
                return Results.Ok(new { model = name, modelVersion = scoring.Version, status = "scoring", done = scoring.Done, total = scoring.Total });
            var filtered = d is { } x ? [.. errors.Where(e => e.Label == x)] : errors;
            var (number, pageCount) = ParsePage(page, filtered.Count, options.PageSize, $"the misclassified test images{(d is { } y ? $" of digit {y}" : "")}");
            var items = filtered.Skip((number - 1) * options.PageSize).Take(options.PageSize).ToArray();
            return Results.Ok(new
            {
                model = name,
                modelVersion = scoring.Version,
                status = "ready",
                dataset = store.Info.Name,
                tested = scoring.Total,
                misclassified = errors.Count,
                accuracy = scoring.Total == 0 ? 0 : 1 - (double)errors.Count / scoring.Total,
                digit = d,
                page = number,
                pageCount,
                pageSize = options.PageSize,
                total = filtered.Count,
                items,
            });
        }
        catch (ApiProblemException e)
        {
            return e.ToResult();
        }
    }

    internal static DatasetSplit ParseSplit(string split) => split.ToLowerInvariant() switch
    {
        "train" => DatasetSplit.Train,
        "test" => DatasetSplit.Test,
        _ => throw ApiProblemException.NotFound("Unknown split", $"The split is 'train' or 'test'; found '{PredictionEndpoints.Truncate(split)}'."),
    };

    internal static string SplitName(DatasetSplit split) => split == DatasetSplit.Train ? "train" : "test";

    /// <summary>Null for "" or "all", else 0..9.</summary>
    internal static int? ParseDigit(string? digit)
    {
        if (string.IsNullOrEmpty(digit) || digit.Equals("all", StringComparison.OrdinalIgnoreCase))
            return null;
        if (digit.Length == 1 && digit[0] is >= '0' and <= '9')
            return digit[0] - '0';
        throw ApiProblemException.BadRequest("Invalid digit", $"The digit filter is 0 to 9 (or 'all'); found '{PredictionEndpoints.Truncate(digit)}'.");
    }

    /// <summary>The 1-based page number and the page count; page 1 of an empty list is allowed (it shows that nothing is there).</summary>
    private static (int Page, int PageCount) ParsePage(string? page, int total, int pageSize, string what)
    {
        var pageCount = Math.Max(1, (total + pageSize - 1) / pageSize);
        if (string.IsNullOrEmpty(page))
            return (1, pageCount);
        if (!int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
            throw ApiProblemException.BadRequest("Invalid page", $"Pages are numbered from 1; found '{PredictionEndpoints.Truncate(page)}'.");
        if (number > pageCount)
            throw ApiProblemException.NotFound("No such page", $"Page {number} does not exist: {what} has {total:N0} images, {pageCount} page{(pageCount == 1 ? "" : "s")} of {pageSize}.");
        return (number, pageCount);
    }

    private static DatasetSplitData Load(DatasetStore store, DatasetSplit split)
    {
        try
        {
            return store.Get(split);
        }
        catch (FileNotFoundException e)
        {
            throw new ApiProblemException(StatusCodes.Status503ServiceUnavailable, "Data set not available", e.Message);
        }
    }

    /// <summary>0..count-1 as a list, without allocating it.</summary>
    private sealed class RangeList(int count) : IReadOnlyList<int>
    {
        public int this[int index] => index;

        public int Count => count;

        public IEnumerator<int> GetEnumerator() => Enumerable.Range(0, count).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

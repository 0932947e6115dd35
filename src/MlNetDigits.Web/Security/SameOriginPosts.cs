namespace MlNetDigits.Web.Security;

/// <summary>
/// Refuses (403) a request that changes or costs something (any method but GET, HEAD, OPTIONS and TRACE) when a browser says
/// it comes from a page of another origin: its <c>Origin</c> header names another scheme, host or port than the request's
/// own (or is <c>null</c>, as sandboxed frames and file pages send), or, without <c>Origin</c>, its
/// <c>Sec-Fetch-Site</c> is <c>cross-site</c> or <c>same-site</c>. A "simple" cross-origin POST (a form, or a fetch
/// with a simple content type) needs no CORS preflight, so without this a page anywhere could make a visitor's browser
/// spend this server's CPU. Requests without those headers (curl, scripts) are served; so are origins listed in
/// <see cref="WebOptions.AllowedOrigins"/> (a proxy that serves the app under another name).
/// </summary>
public static class SameOriginPosts
{
    /// <summary>Adds the check.</summary>
    public static IApplicationBuilder UseSameOriginPosts(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method))
        {
            await next(context);
            return;
        }
        var options = context.RequestServices.GetRequiredService<WebOptions>();
        if (Refusal(request, options.AllowedOrigins) is { } detail)
        {
            await Results.Problem(detail: detail, statusCode: StatusCodes.Status403Forbidden, title: "Cross-origin request refused").ExecuteAsync(context);
            return;
        }
        await next(context);
    });

    /// <summary>Why <paramref name="request"/> is refused, or null when it may go on.</summary>
    internal static string? Refusal(HttpRequest request, IReadOnlyCollection<string> allowedOrigins)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            var site = request.Headers["Sec-Fetch-Site"].ToString();
            return site is "cross-site" or "same-site"
                ? $"This request was sent by a page of another site (Sec-Fetch-Site: {site}); the API takes POSTs from its own pages and from clients that are not browsers."
                : null;
        }
        if (IsSameOrigin(origin, request) || allowedOrigins.Any(a => IsSameOrigin(origin, a)))
            return null;
        return $"This request was sent by a page of origin '{Truncate(origin)}', not {request.Scheme}://{request.Host}: the API takes POSTs from its own pages " +
            "and from clients that are not browsers. A proxy serving the app under another name lists it in Web:AllowedOrigins.";
    }

    private static bool IsSameOrigin(string origin, HttpRequest request) =>
        request.Host.HasValue && IsSameOrigin(origin, $"{request.Scheme}://{request.Host}");

    /// <summary>True when both are absolute URLs with the same scheme, host and port (the scheme's default port when none is given).</summary>
    private static bool IsSameOrigin(string a, string b) =>
        Uri.TryCreate(a, UriKind.Absolute, out var x) && Uri.TryCreate(b, UriKind.Absolute, out var y) &&
        string.Equals(x.Scheme, y.Scheme, StringComparison.OrdinalIgnoreCase) &&
        string.Equals(x.IdnHost, y.IdnHost, StringComparison.OrdinalIgnoreCase) &&
        x.Port == y.Port;

    private static string Truncate(string value) => value.Length <= 100 ? value : value[..100] + "...";
}

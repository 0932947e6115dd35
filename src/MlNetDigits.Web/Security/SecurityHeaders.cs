namespace MlNetDigits.Web.Security;

/// <summary>
/// Adds to every response, pages, files, API answers and error responses alike: <c>X-Content-Type-Options: nosniff</c>,
/// a <c>Content-Security-Policy</c> that allows only this origin's own scripts, styles, requests and images (plus
/// <c>data:</c> images: the draw page shows what the models saw as a PNG data URL) and no framing
/// (<c>frame-ancestors 'none'</c>; <c>X-Frame-Options: DENY</c> for older browsers), and <c>Referrer-Policy: no-referrer</c>.
/// The pages keep to this policy: no inline script or style, no eval.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>The Content-Security-Policy of every response.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Adds the headers to every response; put it first, so that error pages written later get them too.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        // On starting, not now: the exception handler clears the headers of a response it rewrites.
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            return Task.CompletedTask;
        });
        return next(context);
    });
}

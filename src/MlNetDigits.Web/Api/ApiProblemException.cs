namespace MlNetDigits.Web.Api;

/// <summary>A request the API refuses: becomes an RFC 7807 problem details response with this status, title and detail.</summary>
public sealed class ApiProblemException(int status, string title, string detail) : Exception(detail)
{
    /// <summary>The HTTP status code (400, 404, 413, 415, 503).</summary>
    public int Status { get; } = status;

    /// <summary>A short, fixed summary of the kind of problem.</summary>
    public string Title { get; } = title;

    /// <summary>What was expected, what was found, what to do.</summary>
    public string Detail { get; } = detail;

    /// <summary>400 with <paramref name="title"/> and <paramref name="detail"/>.</summary>
    public static ApiProblemException BadRequest(string title, string detail) => new(StatusCodes.Status400BadRequest, title, detail);

    /// <summary>404 with <paramref name="title"/> and <paramref name="detail"/>.</summary>
    public static ApiProblemException NotFound(string title, string detail) => new(StatusCodes.Status404NotFound, title, detail);

    /// <summary>The problem details result for this exception.</summary>
    public IResult ToResult() => Results.Problem(detail: Detail, statusCode: Status, title: Title);
}

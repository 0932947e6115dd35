namespace MlNetDigits.Display;

/// <summary>The MIME types the display formatters produce, as notebooks (nbformat, .NET Interactive) name them.</summary>
public static class MimeTypes
{
    public const string Html = "text/html";
    public const string PlainText = "text/plain";
}

using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace MlNetDigits.Web.Api;

/// <summary>
/// Reads prediction requests: a PNG body (<c>image/png</c>), multipart form data (each file part a PNG), or JSON pixels
/// (<c>{"pixels": [...784...]}</c>, <c>{"pixels": [[row], ...]}</c>, <c>{"width": w, "height": h, "pixels": [...]}</c>,
/// <c>{"png": "base64"}</c>; a batch is <c>{"images": [ ... ]}</c> or a JSON array of those). The body is read into memory
/// up to a limit; one byte more is refused with 413 before anything is parsed.
/// </summary>
public static class ImageRequestReader
{
    private const int MnistSide = 28;

    /// <summary>Reads one image from the request.</summary>
    public static async Task<ImageRequest> ReadSingleAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync(request, maxBytes, cancellationToken);
        var kind = KindOf(request);
        switch (kind)
        {
            case BodyKind.Png:
                return new ImageRequest { Png = body };
            case BodyKind.Multipart:
                var files = await ReadMultipartAsync(request, body, cancellationToken);
                if (files.Count != 1)
                    throw ApiProblemException.BadRequest("Expected one image",
                        $"A multipart request to this endpoint carries exactly one file part (a PNG); found {files.Count}. Send several to /api/predict/batch.");
                return files[0];
            default:
                using (var document = ParseJson(body))
                {
                    var root = document.RootElement;
                    if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("images", out _))
                        throw ApiProblemException.BadRequest("Expected one image", "This endpoint takes one image; send {\"images\": [...]} to /api/predict/batch.");
                    return ParseImage(root, "the body");
                }
        }
    }

    /// <summary>Reads a batch of 1..<paramref name="maxImages"/> images from the request.</summary>
    public static async Task<IReadOnlyList<ImageRequest>> ReadBatchAsync(HttpRequest request, int maxBytes, int maxImages, CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync(request, maxBytes, cancellationToken);
        IReadOnlyList<ImageRequest> images;
        switch (KindOf(request))
        {
            case BodyKind.Png:
                images = [new ImageRequest { Png = body }];
                break;
            case BodyKind.Multipart:
                images = await ReadMultipartAsync(request, body, cancellationToken);
                break;
            default:
                using (var document = ParseJson(body))
                {
                    var root = document.RootElement;
                    var array = root.ValueKind switch
                    {
                        JsonValueKind.Array => root,
                        JsonValueKind.Object when root.TryGetProperty("images", out var list) && list.ValueKind == JsonValueKind.Array => list,
                        _ => throw ApiProblemException.BadRequest("Invalid batch",
                            $"A batch is {{\"images\": [image, ...]}} or a JSON array of images; found a JSON {Describe(root.ValueKind)}."),
                    };
                    var count = array.GetArrayLength();
                    CheckCount(count, maxImages);
                    var parsed = new List<ImageRequest>(count);
                    int i = 0;
                    foreach (var item in array.EnumerateArray())
                        parsed.Add(ParseImage(item, $"images[{i++}]"));
                    images = parsed;
                }
                break;
        }
        CheckCount(images.Count, maxImages);
        return images;
    }

    private static void CheckCount(int count, int maxImages)
    {
        if (count == 0)
            throw ApiProblemException.BadRequest("Empty batch", "The batch has no images; send 1 to " + maxImages + ".");
        if (count > maxImages)
            throw ApiProblemException.BadRequest("Batch too large", $"A batch holds at most {maxImages} images; found {count}. Split it into several requests.");
    }

    private enum BodyKind
    {
        Png,
        Multipart,
        Json,
    }

    private static BodyKind KindOf(HttpRequest request)
    {
        var type = request.ContentType;
        if (string.IsNullOrEmpty(type))
            throw new ApiProblemException(StatusCodes.Status415UnsupportedMediaType, "Missing content type",
                "Send Content-Type image/png (a PNG body), multipart/form-data (PNG file parts) or application/json (pixels).");
        if (!MediaTypeHeaderValue.TryParse(type, out var media))
            throw new ApiProblemException(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type", $"'{type}' is not a valid media type.");
        var name = media.MediaType.Value?.ToLowerInvariant();
        return name switch
        {
            "image/png" => BodyKind.Png,
            "multipart/form-data" => BodyKind.Multipart,
            "application/json" or "text/json" => BodyKind.Json,
            _ when name?.EndsWith("+json", StringComparison.Ordinal) == true => BodyKind.Json,
            _ => throw new ApiProblemException(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type",
                $"Expected image/png, multipart/form-data or application/json; found '{name}'."),
        };
    }

    /// <summary>Reads the body into memory, refusing (413) a declared or actual length over <paramref name="maxBytes"/>.</summary>
    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
            throw TooLarge(request.ContentLength.Value, maxBytes);
        var buffer = new byte[Math.Min(maxBytes + 1, (int)(request.ContentLength ?? 16 * 1024) + 1)];
        int length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > maxBytes)
                    throw TooLarge(length, maxBytes);
                Array.Resize(ref buffer, Math.Min(maxBytes + 1, buffer.Length * 2));
            }
            int read;
            try
            {
                read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
            }
            catch (BadHttpRequestException e)
            {
                // The client stopped sending (a closed connection, a body shorter than its Content-Length) or Kestrel's own limit.
                throw new ApiProblemException(e.StatusCode, "Unreadable request body", e.Message);
            }
            if (read == 0)
                break;
            length += read;
            if (length > maxBytes)
                throw TooLarge(length, maxBytes);
        }
        if (length == 0)
            throw ApiProblemException.BadRequest("Empty body", "The request has no body; send a PNG, multipart form data or JSON pixels.");
        return length == buffer.Length ? buffer : buffer[..length];
    }

    private static ApiProblemException TooLarge(long found, int maxBytes) => new(StatusCodes.Status413PayloadTooLarge, "Request too large",
        $"This endpoint takes at most {maxBytes:N0} bytes; the request has {(found > maxBytes ? "more than " + maxBytes.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : found.ToString("N0", System.Globalization.CultureInfo.InvariantCulture))}. Send smaller images or split the batch.");

    private static async Task<List<ImageRequest>> ReadMultipartAsync(HttpRequest request, byte[] body, CancellationToken cancellationToken)
    {
        var media = MediaTypeHeaderValue.Parse(request.ContentType);
        var boundary = HeaderUtilities.RemoveQuotes(media.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
            throw ApiProblemException.BadRequest("Invalid multipart body", "The multipart/form-data content type has no boundary.");
        var reader = new MultipartReader(boundary, new MemoryStream(body, writable: false)) { BodyLengthLimit = body.Length };
        var files = new List<ImageRequest>();
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) ||
                    !(disposition.FileName.HasValue || disposition.FileNameStar.HasValue))
                    continue;
                using var copy = new MemoryStream();
                await section.Body.CopyToAsync(copy, cancellationToken);
                files.Add(new ImageRequest { Png = copy.ToArray() });
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            // MultipartReader throws InvalidDataException for a malformed header line or a section over its limits, and
            // IOException for a body that ends before its closing boundary: both are the client's mistake, not the server's.
            throw ApiProblemException.BadRequest("Invalid multipart body", $"The multipart/form-data body cannot be read: {e.Message}");
        }
        if (files.Count == 0)
            throw ApiProblemException.BadRequest("No image in the form", "The multipart form has no file part; attach the PNG as a file (curl -F image=@digit.png).");
        return files;
    }

    private static JsonDocument ParseJson(byte[] body)
    {
        try
        {
            return JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw ApiProblemException.BadRequest("Invalid JSON", $"The body is not valid JSON: {e.Message}");
        }
    }

    /// <summary>One image object: <c>{"png": base64}</c> or <c>{"pixels": [...], "width": w, "height": h, "preprocess": bool}</c>.</summary>
    private static ImageRequest ParseImage(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw ApiProblemException.BadRequest("Invalid image", $"{Capital(where)} must be a JSON object with \"pixels\" or \"png\"; found a JSON {Describe(element.ValueKind)}.");
        var preprocess = true;
        if (element.TryGetProperty("preprocess", out var p))
            preprocess = p.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw ApiProblemException.BadRequest("Invalid image", $"\"preprocess\" in {where} must be true or false."),
            };
        if (element.TryGetProperty("png", out var png))
        {
            if (png.ValueKind != JsonValueKind.String || !png.TryGetBytesFromBase64(out var bytes))
                throw ApiProblemException.BadRequest("Invalid image", $"\"png\" in {where} must be a base64 string of a PNG file.");
            return new ImageRequest { Png = bytes };
        }
        if (!element.TryGetProperty("pixels", out var pixels) || pixels.ValueKind != JsonValueKind.Array)
            throw ApiProblemException.BadRequest("Invalid image", $"{Capital(where)} needs \"pixels\" (an array of numbers 0..255, flat or one array per row) or \"png\" (base64).");
        int? width = OptionalSize(element, "width", where), height = OptionalSize(element, "height", where);
        float[] values;
        int rows = pixels.GetArrayLength();
        if (rows > 0 && pixels[0].ValueKind == JsonValueKind.Array)
        {
            // Pixels given as rows: [[r0c0, r0c1, ...], [r1c0, ...], ...]; the shape is checked before anything is allocated.
            int columns = pixels[0].GetArrayLength();
            if (rows > ImageCodec.MaxDimension || columns > ImageCodec.MaxDimension)
                throw ApiProblemException.BadRequest("Invalid pixels",
                    $"\"pixels\" in {where} has {rows} rows of {columns}; images are at most {ImageCodec.MaxDimension} x {ImageCodec.MaxDimension} pixels. Scale it down first.");
            values = new float[rows * columns];
            int r = 0;
            foreach (var row in pixels.EnumerateArray())
            {
                if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != columns)
                    throw ApiProblemException.BadRequest("Invalid pixels", $"Every row of \"pixels\" in {where} must be an array of {columns} numbers (as the first row); row {r} is not.");
                ReadNumbers(row, values.AsSpan(r * columns, columns), where);
                r++;
            }
            if ((width ?? columns) != columns || (height ?? rows) != rows)
                throw ApiProblemException.BadRequest("Invalid pixels", $"\"pixels\" in {where} has {rows} rows of {columns}, but width x height says {width ?? columns} x {height ?? rows}.");
            width = columns;
            height = rows;
        }
        else
        {
            values = new float[rows];
            ReadNumbers(pixels, values, where);
            if (width is null && height is null)
            {
                if (values.Length != MnistSide * MnistSide)
                    throw ApiProblemException.BadRequest("Invalid pixels",
                        $"Flat \"pixels\" without width and height must be 28 x 28 = 784 values; {where} has {values.Length}. Give \"width\" and \"height\" for other sizes.");
                width = height = MnistSide;
            }
            else if (width is null || height is null)
                throw ApiProblemException.BadRequest("Invalid pixels", $"Give both \"width\" and \"height\" in {where}, or neither (784 values are 28 x 28).");
            else if ((long)width.Value * height.Value != values.Length)
                throw ApiProblemException.BadRequest("Invalid pixels",
                    $"A {width} x {height} image needs {(long)width.Value * height.Value} pixels; {where} has {values.Length}.");
        }
        if (values.Length == 0)
            throw ApiProblemException.BadRequest("Invalid pixels", $"\"pixels\" in {where} is empty.");
        if (!preprocess && (width != MnistSide || height != MnistSide))
            throw ApiProblemException.BadRequest("Invalid pixels", $"\"preprocess\": false needs MNIST-format 28 x 28 pixels; {where} is {width} x {height}.");
        return new ImageRequest { Pixels = values, Width = width!.Value, Height = height!.Value, Preprocess = preprocess };
    }

    private static void ReadNumbers(JsonElement array, Span<float> into, string where)
    {
        int i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetSingle(out var v) || !float.IsFinite(v) || v < 0 || v > 255)
                throw ApiProblemException.BadRequest("Invalid pixels", $"Pixels in {where} must be numbers from 0 to 255; item {i} is {item.GetRawText()}.");
            into[i++] = v;
        }
    }

    private static int? OptionalSize(JsonElement element, string name, string where)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var size) || size < 1 || size > ImageCodec.MaxDimension)
            throw ApiProblemException.BadRequest("Invalid pixels", $"\"{name}\" in {where} must be a whole number from 1 to {ImageCodec.MaxDimension}; found {value.GetRawText()}.");
        return size;
    }

    private static string Describe(JsonValueKind kind) => kind.ToString().ToLowerInvariant();

    private static string Capital(string s) => char.ToUpperInvariant(s[0]) + s[1..];
}

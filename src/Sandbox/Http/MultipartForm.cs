using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace BatchOrchestrator.Sandbox.Http;

/// <summary>
/// A multipart/form-data body read section by section, so a large upload streams straight into
/// the one buffer that keeps it (no form-options cap, no temp file) and the size cap is ours. A part with a
/// <c>filename</c> is a file, any other a text field, and a later part of a name replaces an earlier one of either
/// kind, as Starlette's form keeps the last; what a field's kind must be is <see cref="Text"/>'s and <see cref="File"/>'s.
/// </summary>
internal sealed class MultipartForm
{
    private const int MaxFieldBytes = 1024 * 1024;

    /// <summary>The text fields, read through <see cref="Text"/> and <see cref="File"/> only, so no caller skips the kind check.</summary>
    private Dictionary<string, string> Fields { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, UploadedFile> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>Reads the form; returns an error result for a non-multipart or oversized body.</summary>
    public static async Task<(MultipartForm? Form, IResult? Error)> ReadAsync(HttpRequest request, long maxFileBytes)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Length == 0)
        {
            return (null, ApiErrors.Validation("missing", "Field required", "body"));
        }

        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value!;
        var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = null };
        var form = new MultipartForm();
        while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
        {
            // A bare CR inside a part's header ends the header line for the service's parser (Starlette on
            // python-multipart, a guess: docs/llamacloud-api.md §4.2), which then finds no LF and refuses the
            // body; ours would read on. A bare LF it takes as part of the value, as ours does.
            if (section.Headers is { } headers && headers.Values.Any(v => v.Any(text => text?.Contains('\r', StringComparison.Ordinal) == true)))
            {
                return (null, ApiErrors.Detail(StatusCodes.Status400BadRequest, "There was an error parsing the body"));
            }

            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? string.Empty;
            if (disposition.IsFileDisposition())
            {
                var buffer = new MemoryStream();
                if (!await Streams.CopyLimitedAsync(section.Body, buffer, maxFileBytes, cancellationToken))
                {
                    return (null, ApiErrors.Detail(StatusCodes.Status413PayloadTooLarge, $"File exceeds the maximum size of {maxFileBytes} bytes"));
                }

                var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "upload";
                form.Fields.Remove(name);
                form.Files[name] = new UploadedFile(fileName, section.ContentType, buffer.ToArray());
            }
            else
            {
                using var text = new MemoryStream();
                if (!await Streams.CopyLimitedAsync(section.Body, text, MaxFieldBytes, cancellationToken))
                {
                    return (null, ApiErrors.Detail(StatusCodes.Status413PayloadTooLarge, $"Form field '{name}' is too large"));
                }

                form.Files.Remove(name);
                form.Fields[name] = Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length);
            }
        }

        return (form, null);
    }

    /// <summary>A text field's value; null when absent or sent empty, which FastAPI reads as not given.</summary>
    private string? Field(string name) => Fields.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    /// <summary>
    /// A field the SDK types <c>string | null</c> (a <c>Form()</c> string): its value, or null. Sent as a file part it is
    /// refused, not ignored: FastAPI hands pydantic the UploadFile, which is no string (docs/llamacloud-api.md §4.2).
    /// </summary>
    public string? Text(string name, BodyValidator v)
    {
        if (Files.ContainsKey(name))
        {
            v.Add("string_type", "Input should be a valid string", name);
            return null;
        }

        return Field(name);
    }

    /// <summary>
    /// A required upload (<c>Uploadable</c>, a <c>File()</c>): absent, or sent as empty text, it is missing; sent as other
    /// text, FastAPI's UploadFile validator refuses the string it gets, in its own words (docs/llamacloud-api.md §4.2).
    /// </summary>
    public UploadedFile? File(string name, BodyValidator v)
    {
        if (Files.TryGetValue(name, out var file))
        {
            return file;
        }

        if (Field(name) is null)
        {
            v.Add("missing", "Field required", name);
        }
        else
        {
            v.Add("value_error", "Value error, Expected UploadFile, received: <class 'str'>", name);
        }

        return null;
    }
}

/// <summary>One uploaded file part: its name as sent, content type and bytes.</summary>
internal sealed record UploadedFile(string FileName, string? ContentType, byte[] Content);

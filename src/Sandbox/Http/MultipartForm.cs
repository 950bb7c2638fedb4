using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace BatchOrchestrator.Sandbox.Http;

/// <summary>
/// A multipart/form-data body read section by section, so a large upload streams straight into
/// the one buffer that keeps it (no form-options cap, no temp file) and the size cap is ours.
/// </summary>
internal sealed class MultipartForm
{
    private const int MaxFieldBytes = 1024 * 1024;

    public Dictionary<string, string> Fields { get; } = new(StringComparer.Ordinal);

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
                form.Files[name] = new UploadedFile(fileName, section.ContentType, buffer.ToArray());
            }
            else
            {
                using var text = new MemoryStream();
                if (!await Streams.CopyLimitedAsync(section.Body, text, MaxFieldBytes, cancellationToken))
                {
                    return (null, ApiErrors.Detail(StatusCodes.Status413PayloadTooLarge, $"Form field '{name}' is too large"));
                }

                form.Fields[name] = Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length);
            }
        }

        return (form, null);
    }

    public string? Field(string name) => Fields.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
}

/// <summary>One uploaded file part: its name as sent, content type and bytes.</summary>
internal sealed record UploadedFile(string FileName, string? ContentType, byte[] Content);

using Microsoft.Net.Http.Headers;

namespace BatchOrchestrator.Sandbox.Http;

/// <summary>
/// Reads a JSON request body into a <see cref="JsonElement"/> so each endpoint can validate it
/// field by field and answer with FastAPI's 422 shape rather than ASP.NET Core's binding 400.
/// </summary>
internal static class JsonBody
{
    private const long MaxJsonBytes = 16 * 1024 * 1024;

    /// <summary>Returns the parsed body, or an error result (422 like FastAPI's json_invalid / missing).</summary>
    public static async Task<(JsonElement Root, IResult? Error)> ReadAsync(HttpRequest request, bool required = true)
    {
        using var buffer = new MemoryStream();
        if (!await Streams.CopyLimitedAsync(request.Body, buffer, MaxJsonBytes, request.HttpContext.RequestAborted))
        {
            return (default, ApiErrors.Detail(StatusCodes.Status413PayloadTooLarge, "Request body too large"));
        }

        if (buffer.Length == 0)
        {
            return required
                ? (default, ApiErrors.Validation("missing", "Field required", "body"))
                : (Json.EmptyJson.Object, null);
        }

        if (!ReadAsJson(request))
        {
            // FastAPI hands pydantic the raw bytes, which no model takes: the answer a JSON body that is no object gets.
            return (default, ApiErrors.Validation("model_attributes_type", "Input should be a valid dictionary or object to extract fields from", "body"));
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray());
            var root = document.RootElement.Clone();
            request.HttpContext.Items[IssueInput.BodyKey] = root; // a 422 quotes what was sent (IssueInput)
            return (root, null);
        }
        catch (JsonException ex)
        {
            var position = (int)(ex.BytePositionInLine ?? 0);
            return (default, ApiErrors.Validation("json_invalid", "JSON decode error", "body", position));
        }
    }

    /// <summary>
    /// Whether FastAPI would parse the body as JSON: with <c>application/json</c> or <c>application/*+json</c> (its request
    /// handler, reading the type as Python's <c>email.message</c> does; a type it cannot read counts as <c>text/plain</c>),
    /// and without a <c>Content-Type</c> unless <see cref="SandboxGuesses.RefuseJsonWithoutContentType"/>. Any other type
    /// (curl's <c>-d</c> sends a form type) leaves the body bytes; the SDK marks every JSON body <c>application/json</c>
    /// (docs/llamacloud-api.md §1.4). The Sandbox's own <c>/_sandbox</c> routes are not LlamaCloud's and take JSON under any type.
    /// </summary>
    private static bool ReadAsJson(HttpRequest request)
    {
        if (!request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            return true;
        }

        if (string.IsNullOrWhiteSpace(request.ContentType))
        {
            return !request.HttpContext.RequestServices.GetRequiredService<SandboxOptions>().Guesses.RefuseJsonWithoutContentType;
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || type.MediaType.Value?.Split('/') is not [var main, var sub])
        {
            return false;
        }

        return main.Equals("application", StringComparison.OrdinalIgnoreCase)
            && (sub.Equals("json", StringComparison.OrdinalIgnoreCase) || sub.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }
}

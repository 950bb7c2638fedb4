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
}

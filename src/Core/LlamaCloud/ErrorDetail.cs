using System.Text.Json;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// Reads FastAPI-style error bodies: <c>{"detail": "…"}</c>, or for 422 a list of
/// <c>{"loc": [...], "msg": "…"}</c> (docs/llamacloud-api.md §1.4). Bounded, and tolerant of anything else.
/// </summary>
internal static class ErrorDetail
{
    private const int MaxChars = 2_000;

    public static async Task<string?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("detail", out var detail))
            {
                return Truncate(Describe(detail));
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page, say): fall through to the raw text.
        }

        return Truncate(body);
    }

    private static string Describe(JsonElement detail) => detail.ValueKind switch
    {
        JsonValueKind.String => detail.GetString() ?? "",
        JsonValueKind.Array => string.Join("; ", detail.EnumerateArray().Select(DescribeItem)),
        // An object (FastAPI's HTTPException carries any JSON) is kept whole but for what quotes the request: its
        // other words stay, the "quota" ProviderRefusal looks for among them.
        JsonValueKind.Object => WithoutWhatWasSent(detail),
        _ => detail.GetRawText(),
    };

    private static string DescribeItem(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return item.ToString();
        }

        var location = item.TryGetProperty("loc", out var loc) && loc.ValueKind == JsonValueKind.Array
            ? string.Join('.', loc.EnumerateArray().Select(p => p.ToString()))
            : null;
        var message = item.TryGetProperty("msg", out var msg) ? msg.ToString() : WithoutWhatWasSent(item);
        return location is null ? message : $"{location}: {message}";
    }

    /// <summary>
    /// An issue without <c>msg</c>, or a detail that is an object, as its JSON less <c>input</c> and <c>ctx</c> at any depth: pydantic quotes what
    /// was sent in them (a webhook's signing secret, say), a detail object may hold a list of such issues, and our error text ends up in logs
    /// and the database.
    /// </summary>
    private static string WithoutWhatWasSent(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(',', element.EnumerateObject().Where(p => p.Name is not ("input" or "ctx")).Select(p => $"\"{p.Name}\":{WithoutWhatWasSent(p.Value)}")) + "}",
        JsonValueKind.Array => "[" + string.Join(',', element.EnumerateArray().Select(WithoutWhatWasSent)) + "]",
        _ => element.GetRawText(),
    };

    private static string Truncate(string text) => text.Length <= MaxChars ? text : text[..MaxChars] + "…";
}

using System.Text.Json;
using System.Text.RegularExpressions;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// Reads FastAPI-style error bodies: <c>{"detail": "…"}</c>, or for 422 a list of
/// <c>{"loc": [...], "msg": "…"}</c> (docs/llamacloud-api.md §1.4). Bounded, and tolerant of anything else: a body in
/// no FastAPI shape (a proxy's HTML page, a gateway's JSON) is a short excerpt of its text, enough to tell whose answer
/// it was. The text ends up in logs, Hangfire and the dashboard, so what the request carried is never in it: the
/// secrets of <see cref="SentSecrets"/> wherever they are quoted, and anything named like a credential in an excerpt.
/// </summary>
internal static partial class ErrorDetail
{
    private const int MaxChars = 2_000;
    private const int ExcerptChars = 300;

    public static async Task<string?> ReadAsync(HttpResponseMessage response, SentSecrets? secrets, CancellationToken cancellationToken)
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

        string text;
        var detailed = false;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            detailed = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("detail", out _);
            text = detailed ? Describe(root.GetProperty("detail")) : WithoutWhatWasSent(root);
        }
        catch (JsonException)
        {
            text = AsText(body); // not JSON: a proxy's HTML page, say
        }

        // Left out before the cut, so that no part of a secret is left at the end of an excerpt. The API's own detail is
        // its words about our request (input and ctx already gone); an excerpt may be anyone's echo of the whole request.
        text = secrets?.Redact(text) ?? text;
        text = text.Replace("\0", "", StringComparison.Ordinal); // stored as a batch's or a file's error: PostgreSQL's text refuses it (NulFreeStrings)
        if (!detailed)
        {
            text = Credentials().Replace(NamedCredentials().Replace(text, "${name}" + SentSecrets.LeftOut), "${scheme}" + SentSecrets.LeftOut);
        }

        return text.Length == 0 ? null : Truncate(text, detailed ? MaxChars : ExcerptChars);
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

    /// <summary>A page's words: without its scripts, styles and tags, entities decoded, every run of spaces, breaks and control characters one space.</summary>
    private static string AsText(string body) =>
        Breaks().Replace(System.Net.WebUtility.HtmlDecode(Tags().Replace(Blocks().Replace(body, " "), " ")), " ").Trim();

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max] + "…";

    [GeneratedRegex(@"<(script|style)\b.*?</\1\s*>|<!--.*?-->", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Blocks();

    [GeneratedRegex(@"<[^>]*>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"[\s\p{C}]+")]
    private static partial Regex Breaks();

    // An authorization scheme and its credential ("Bearer llx-…"), wherever an excerpt quotes one.
    [GeneratedRegex(@"(?<scheme>\b(?:bearer|basic)\s+)[A-Za-z0-9._~+/=-]+", RegexOptions.IgnoreCase)]
    private static partial Regex Credentials();

    // A value named like a credential ("authorization": …, x-api-key=…, webhook_signing_secret: "…"), in a body that is not
    // the API's own error: a proxy or gateway echoing the request it refused.
    [GeneratedRegex(
        """(?<name>[\w-]*(?:authorization|secret|token|password|passwd|api[_-]?key|cookie)[\w-]*"?\s*[:=]\s*)(?:"(?:[^"\\]|\\.)*"|(?:(?:bearer|basic)\s+)?(?:\(left out\)|[^\s,;&"'<>{}]+))""",
        RegexOptions.IgnoreCase)]
    private static partial Regex NamedCredentials();
}

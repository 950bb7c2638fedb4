using System.Diagnostics.CodeAnalysis;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// The secrets our requests to LlamaCloud carry: the API key (every request's Authorization) and, on a batch create, the
/// webhook's signing secret and whatever a gateway wants in Webhooks:PublicUrl's user info or query (given by
/// <c>WebhookOptions.SentSecrets</c>). An error body may quote the request it answers (a proxy's debug page, a message
/// naming the webhook URL), and error text is logged, stored by Hangfire and shown on the dashboard: every one of them
/// is left out of it, as it is of the per-file error texts of an answer that succeeded (<see cref="ReportedErrors"/>;
/// docs/architecture.md, "Secrets").
/// </summary>
/// <param name="sent">Read once, at the first text to redact: the options are resolved and checked by then.</param>
internal sealed class SentSecrets(Func<IEnumerable<string?>> sent)
{
    public const string LeftOut = "(left out)";

    // Shorter values (a query's "1") are words an error text would lose everywhere; no key or token is that short.
    private const int Shortest = 6;

    private string[]? values;

    [return: NotNullIfNotNull(nameof(text))]
    public string? Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        foreach (var value in values ??= Gather())
        {
            text = text.Replace(value, LeftOut, StringComparison.Ordinal);
        }

        return text;
    }

    // Each as given and as a URL or JSON would escape it; the longest first, so no part of one is left beside the mark.
    private string[] Gather() =>
        [.. sent().OfType<string>().Where(v => v.Length >= Shortest)
            .SelectMany(v => new[] { v, Uri.EscapeDataString(v), System.Text.Json.JsonEncodedText.Encode(v).ToString() })
            .Distinct(StringComparer.Ordinal).OrderByDescending(v => v.Length)];
}

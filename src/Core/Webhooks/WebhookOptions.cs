using BatchOrchestrator.Core.Validation;

namespace BatchOrchestrator.Core.Webhooks;

/// <summary>
/// LlamaCloud's batch webhooks ("Webhooks" section). With <see cref="PublicUrl"/> set, every v2
/// batch is created with a signed webhook to it, and the Worker's receiver polls that batch at once
/// when an event arrives. Polling stays the source of truth: with no URL (a worker behind NAT) or a
/// lost delivery, batches are polled on their schedule as before. The signing secret comes from
/// <c>BATCHORCHESTRATOR_WEBHOOK_SECRET</c>, <c>Webhooks:SigningSecret</c> or
/// <see cref="SigningSecretFile"/>, never from a committed file, and is never logged.
/// </summary>
public sealed class WebhookOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Webhooks";

    /// <summary>The environment variable holding the signing secret.</summary>
    public const string SecretVariable = "BATCHORCHESTRATOR_WEBHOOK_SECRET";

    /// <summary>The address LlamaCloud posts events to (reachable from it, usually through a reverse proxy to <see cref="Path"/>). Empty: polling only.</summary>
    public Uri? PublicUrl { get; set; }

    /// <summary>The path the Worker receives deliveries on.</summary>
    public string Path { get; set; } = "/webhooks/llamacloud";

    /// <summary>A file holding the signing secret (used when neither the variable nor the key is set).</summary>
    public string? SigningSecretFile { get; set; }

    /// <summary>Largest delivery body accepted; a batch event carries the batch with its results.</summary>
    public int MaxBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// How long after a batch was recorded as ended a webhook announcing its end may still arrive before it
    /// counts as missed (a warning, <c>batchorchestrator_webhooks_missed_total</c>, the overview). Deliveries
    /// are retried by LlamaCloud with backoff, so give them a few minutes.
    /// </summary>
    public TimeSpan MissedAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Resolved at start-up; never bound from JSON, never printed.</summary>
    internal string? SigningSecret { get; set; }

    /// <summary>Why <see cref="SigningSecretFile"/> could not be read, refused by the validator.</summary>
    internal string? SigningSecretFileProblem { get; set; }

    /// <summary>True when batches are created with a webhook.</summary>
    internal bool Enabled => PublicUrl is not null;

    /// <summary>
    /// What of these options is sent to LlamaCloud with every batch create and is a secret: the signing secret, a password
    /// after "user:" (or the whole user info, a token) and each query value, as sent and unescaped.
    /// </summary>
    internal IEnumerable<string?> SentSecrets()
    {
        yield return SigningSecret;
        if (PublicUrl is not { IsAbsoluteUri: true } url)
        {
            yield break;
        }

        var userInfo = url.UserInfo;
        yield return userInfo[(userInfo.IndexOf(':', StringComparison.Ordinal) + 1)..];
        foreach (var pair in url.Query.TrimStart('?').Split('&'))
        {
            var value = pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..];
            yield return value;
            yield return Uri.UnescapeDataString(value);
        }
    }

    /// <summary>Never prints the secret, nor what the URL may carry of one.</summary>
    public override string ToString() => $"Webhooks to {Shown(PublicUrl) ?? "(none)"} (secret {(string.IsNullOrEmpty(SigningSecret) ? "not set" : "set")})";

    /// <summary>
    /// <paramref name="url"/> as a message or a log line prints it: without user info, query or fragment. A gateway in
    /// front of the receiver may want a token there (<c>?code=…</c>), which is a secret like the signing secret.
    /// </summary>
    internal static string? Shown(Uri? url) => url switch
    {
        null => null,
        // A scheme .NET does not know ('ops:TOKEN@gw…', the "https://" forgotten) puts what followed into the path.
        { IsAbsoluteUri: true } when url.Scheme is not ("http" or "https") => UrlShown.WithoutSecrets(url.OriginalString),
        { IsAbsoluteUri: true } => url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped) + (url.Query.Length > 1 || url.UserInfo.Length > 0 ? " (with its user info or query left out)" : ""),
        _ => url.OriginalString.Split('?', '#')[0],
    };
}

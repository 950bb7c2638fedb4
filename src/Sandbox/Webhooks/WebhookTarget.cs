namespace BatchOrchestrator.Sandbox.Webhooks;

/// <summary>
/// Where and how to deliver events: an inline <c>webhook_configurations[]</c> item or a saved
/// configuration, resolved when the job or batch is created (docs/llamacloud-api.md §1.6).
/// </summary>
internal sealed record WebhookTarget(
    string Url,
    IReadOnlyList<string>? Events,
    IReadOnlyDictionary<string, string> Headers,
    string OutputFormat,
    string? SigningSecret)
{
    /// <summary>A null event list subscribes to every event.</summary>
    public bool Wants(string eventType) => Events is null || Events.Contains(eventType, StringComparer.Ordinal);
}

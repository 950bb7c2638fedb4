namespace BatchOrchestrator.Sandbox.Webhooks;

/// <summary>The saved webhook configuration response (SDK webhook-configs.ts WebhookConfigResponse).</summary>
internal sealed record WebhookConfigDto(
    string Id,
    string TenantId,
    string TenantType,
    string WebhookUrl,
    IReadOnlyList<string>? WebhookEvents,
    IReadOnlyDictionary<string, string>? WebhookHeaders,
    string WebhookOutputFormat,
    bool HasSecret,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt);

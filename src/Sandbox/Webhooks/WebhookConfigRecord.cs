namespace BatchOrchestrator.Sandbox.Webhooks;

/// <summary>A saved webhook configuration (docs/llamacloud-api.md §9); the secret is write-only.</summary>
internal sealed class WebhookConfigRecord : ProjectResource
{
    public required string Url { get; set; }

    public IReadOnlyList<string>? Events { get; set; }

    public IReadOnlyDictionary<string, string>? Headers { get; set; }

    public string? OutputFormat { get; set; }

    public string? SigningSecret { get; set; }

    public required DateTimeOffset UpdatedAt { get; set; }

    public WebhookTarget ToTarget() => new(Url, Events, Headers ?? new Dictionary<string, string>(), OutputFormat ?? "string", SigningSecret);

    public WebhookConfigDto ToDto()
        => new(Id, ProjectId, "project", Url, Events, Headers, OutputFormat ?? "string", !string.IsNullOrEmpty(SigningSecret), CreatedAt, UpdatedAt);
}

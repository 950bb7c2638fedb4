using BatchOrchestrator.Core.Validation;

namespace BatchOrchestrator.Core.LlamaCloud;

// Shapes of /api/v2/batches (docs/llamacloud-api.md §2.1; SDK src/resources/batches.ts).

/// <summary>A v2 batch as the API returns it. <see cref="Results"/> is null unless <c>expand=results</c>.</summary>
internal sealed record RemoteBatch(
    string Id,
    RemoteBatchConfig Config,
    string ProjectId,
    string SourceDirectoryId,
    string Status,
    DateTimeOffset? CreatedAt = null,
    DateTimeOffset? UpdatedAt = null,
    IReadOnlyList<RemoteBatchResult>? Results = null);

/// <summary><c>config</c> of a batch.</summary>
internal sealed record RemoteBatchConfig(RemoteBatchJob Job);

/// <summary><c>config.job</c>: the product job type and its configuration (saved or preset).</summary>
internal sealed record RemoteBatchJob(string Type, string ConfigurationId);

/// <summary>One source file's projection: its job reference, or why none could be made.</summary>
internal sealed record RemoteBatchResult(string SourceDirectoryFileId, RemoteJobReference? JobReference, string? ErrorMessage);

/// <summary>The product job a batch created for a file (<c>pjb-…</c> for parse_v2, <c>ext-…</c> for extract_v2).</summary>
internal sealed record RemoteJobReference(string Type, string Id);

/// <summary>Body of <c>POST /api/v2/batches</c>.</summary>
internal sealed record CreateBatchRequest(
    string SourceDirectoryId,
    RemoteBatchConfig Config,
    IReadOnlyList<WebhookConfiguration>? WebhookConfigurations = null);

/// <summary>An inline webhook on a create request (docs/llamacloud-api.md §1.6).</summary>
internal sealed record WebhookConfiguration(
    string WebhookUrl,
    IReadOnlyList<string>? WebhookEvents = null,
    string? WebhookOutputFormat = null,
    string? WebhookSigningSecret = null)
{
    /// <summary>
    /// Not the compiler's, which prints every member: the signing secret, and the URL with a gateway's token in its query
    /// or user info, are sent to LlamaCloud and shown nowhere (docs/architecture.md, "Secrets").
    /// </summary>
    public override string ToString() =>
        $"WebhookConfiguration {{ WebhookUrl = {UrlShown.WithoutSecrets(WebhookUrl)}, WebhookEvents = [{string.Join(", ", WebhookEvents ?? [])}], "
        + $"WebhookOutputFormat = {WebhookOutputFormat}, WebhookSigningSecret = {(WebhookSigningSecret is null ? "not set" : "set")} }}";
}

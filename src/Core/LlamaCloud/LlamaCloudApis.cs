namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// Hands out <see cref="LlamaCloudClient"/>s scoped to a project, each over a client from
/// <see cref="IHttpClientFactory"/> (pooled handlers, so one per use is cheap).
/// </summary>
internal sealed class LlamaCloudApis(IHttpClientFactory clients, RetryTiming timing, ProjectPauses pauses, SentSecrets secrets) : IBatchApis
{
    /// <summary>The name of the HTTP client the handlers are registered on (the Worker adds its metrics handler to it).</summary>
    public const string HttpClientName = "LlamaCloud";

    /// <summary>How long an idle connection to LlamaCloud is kept for the next request: as long as the official SDK keeps one.</summary>
    public static readonly TimeSpan IdleConnectionTimeout = TimeSpan.FromSeconds(4);

    public IBatchApi For(ProjectScope scope) => new LlamaCloudClient(clients.CreateClient(HttpClientName), scope, timing, pauses, secrets);
}

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// Hands out <see cref="LlamaCloudClient"/>s scoped to a project, each over a client from
/// <see cref="IHttpClientFactory"/> (pooled handlers, so one per use is cheap).
/// </summary>
internal sealed class LlamaCloudApis(IHttpClientFactory clients, RetryTiming timing, ProjectPauses pauses, SentSecrets secrets) : IBatchApis
{
    /// <summary>The name of the HTTP client the handlers are registered on (the Worker adds its metrics handler to it).</summary>
    public const string HttpClientName = "LlamaCloud";

    public IBatchApi For(ProjectScope scope) => new LlamaCloudClient(clients.CreateClient(HttpClientName), scope, timing, pauses, secrets);
}

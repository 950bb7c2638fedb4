using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Core.Webhooks;

/// <summary>Every v2 batch is created with one signed webhook to <see cref="WebhookOptions.PublicUrl"/> for its status events, when that is set.</summary>
internal sealed class BatchWebhooks(IOptions<WebhookOptions> webhooks, IWebhookLivenessStore liveness) : IBatchWebhooks
{
    private static readonly string[] BatchEvents = ["batch.pending", "batch.running", "batch.success", "batch.error", "batch.cancelled"];

    public IReadOnlyList<WebhookConfiguration>? ForNewBatch()
    {
        var settings = webhooks.Value;
        return settings.Enabled
            ? [new WebhookConfiguration(settings.PublicUrl!.AbsoluteUri, BatchEvents, "json", settings.SigningSecret)]
            : null;
    }

    // v2 batches carry the webhook; v1 jobs are polled only (docs/llamacloud-api.md §1.6).
    public Task SubmittedAsync(long batchId, string jobType, CancellationToken cancellationToken) =>
        webhooks.Value.Enabled && !BatchJobTypes.IsV1(jobType) ? liveness.ExpectAsync(batchId, cancellationToken) : Task.CompletedTask;
}

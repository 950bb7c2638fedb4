using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Core.Batches;

/// <summary>
/// The webhooks a new v2 batch asks LlamaCloud to call as its status changes. A port, so that batches
/// need not know the webhook settings while the webhook receiver (which makes batches due) knows batches.
/// </summary>
internal interface IBatchWebhooks
{
    /// <summary>The webhooks to create a batch with; null when webhooks are off.</summary>
    IReadOnlyList<WebhookConfiguration>? ForNewBatch();

    /// <summary>
    /// A batch was submitted (created, or adopted from an earlier attempt): notes whether a webhook will
    /// announce its end, so that webhook liveness can tell when none did (docs/operations.md).
    /// </summary>
    Task SubmittedAsync(long batchId, string jobType, CancellationToken cancellationToken);
}

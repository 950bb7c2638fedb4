namespace BatchOrchestrator.Core.Webhooks;

/// <summary>
/// Notices webhooks that silently stopped. Polling stays the truth, so a lost delivery loses nothing,
/// but it means batches are recorded only on the poll schedule, and a webhook endpoint that stopped
/// receiving (a proxy change, an expired certificate, a subscription dropped on LlamaCloud's side) would
/// go unseen. Each poll tick flags the batches that ended with no delivery announcing it within
/// <see cref="WebhookOptions.MissedAfter"/>: one warning per batch, counted in
/// <c>batchorchestrator_webhooks_missed_total</c> and listed on the overview.
/// </summary>
internal sealed class WebhookLiveness(IWebhookLivenessStore store, IOptions<WebhookOptions> options, ILogger<WebhookLiveness> logger)
{
    private const int MaxPerPass = 500;

    // Events that say a batch has ended (the API's webhook_events enum; docs/llamacloud-api.md §1.6).
    private static readonly string[] EndEvents = ["batch.success", "batch.error", "batch.cancelled"];

    public static bool AnnouncesEnd(string eventType) => EndEvents.Contains(eventType, StringComparer.Ordinal);


    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        foreach (var missed in await store.FlagMissedAsync(settings.MissedAfter, MaxPerPass, cancellationToken))
        {
            logger.LogWarning(
                "Batch {BatchId} of {Source} (run {RunId}, {RemoteBatchId}) ended {RemoteStatus} and no webhook announced it within {MissedAfter} "
                + "({Deliveries} deliveries about it arrived); polling recorded it. Is LlamaCloud still reaching {PublicUrl}?",
                missed.BatchId, missed.Source, missed.RunId, missed.RemoteBatchId, missed.RemoteStatus ?? "unknown", settings.MissedAfter, missed.Deliveries, WebhookOptions.Shown(settings.PublicUrl));
        }
    }
}

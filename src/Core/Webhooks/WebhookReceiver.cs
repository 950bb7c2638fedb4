using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.Pipeline;

namespace BatchOrchestrator.Core.Webhooks;

/// <summary>
/// Handles one webhook delivery: verify the signature, and for a batch event make that batch due now
/// and start a poll tick. The event's own status is not trusted (deliveries come out of order and
/// more than once); the poll reads the batch and records what it finds, so a stale or repeated
/// event costs at most one extra GET.
/// </summary>
internal sealed class WebhookReceiver(
    IOptions<WebhookOptions> options,
    IBatchStore store,
    IWebhookLivenessStore deliveries,
    IPipelineScheduler scheduler,
    ILogger<WebhookReceiver> logger)
{
    public async Task<WebhookVerdict> ReceiveAsync(ReadOnlyMemory<byte> body, string? signature, CancellationToken cancellationToken)
    {
        var secret = options.Value.SigningSecret;
        if (secret is null || !WebhookSignature.IsValid(secret, body.Span, signature))
        {
            return Refused(body.Length, signature);
        }

        var received = WebhookEvent.TryRead(body);
        if (received is null)
        {
            logger.LogWarning("A signed webhook delivery of {Bytes} bytes had no event type or subject id; ignored", body.Length);
            return WebhookVerdict.Unreadable;
        }

        if (!received.IsBatchEvent)
        {
            logger.LogDebug("Webhook {EventType} for {SubjectId} ignored: only batch events are acted on", received.EventType, received.SubjectId);
            return WebhookVerdict.Accepted;
        }

        // Counted whatever the batch's state: an end announced after polling recorded it still proves the webhook works.
        await deliveries.RecordDeliveryAsync(received.SubjectId, WebhookLiveness.AnnouncesEnd(received.EventType), cancellationToken);
        if (await store.MakeDueNowAsync(received.SubjectId, cancellationToken))
        {
            scheduler.EnqueuePoll();
            logger.LogInformation("Webhook {EventType} for {RemoteBatchId}: polling it now", received.EventType, received.SubjectId);
        }
        else
        {
            logger.LogDebug("Webhook {EventType} for {RemoteBatchId}: not an open batch of ours; nothing to do", received.EventType, received.SubjectId);
        }

        return WebhookVerdict.Accepted;
    }

    /// <summary>
    /// A delivery refused before its body was read (<paramref name="bytes"/> as its Content-Length says, if it does): a
    /// header that is no signature needs no body to be refused, and reading up to Webhooks:MaxBodyBytes first let any
    /// caller of the public endpoint hold that much memory per request.
    /// </summary>
    public WebhookVerdict Refused(long? bytes, string? signature)
    {
        logger.LogWarning(
            "Refused a webhook delivery of {Bytes} bytes: {Reason}",
            bytes?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown",
            signature is null ? "no LC-Signature header" : WebhookSignature.IsWellFormed(signature) ? "bad signature" : "an LC-Signature header that is no sha256 signature");
        return WebhookVerdict.Unauthorized;
    }
}

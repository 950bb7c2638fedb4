namespace BatchOrchestrator.Core.Webhooks;

/// <summary>Per-batch record of webhook deliveries, and the sweep that notices the ones that never came.</summary>
internal interface IWebhookLivenessStore
{
    /// <summary>Notes that the batch was submitted with a webhook, so its end should be announced.</summary>
    Task ExpectAsync(long batchId, CancellationToken cancellationToken);

    /// <summary>Counts a signed delivery about a remote batch of ours (any state); <paramref name="announcesEnd"/> for an end event. False if no batch has that id.</summary>
    Task<bool> RecordDeliveryAsync(string remoteBatchId, bool announcesEnd, CancellationToken cancellationToken);

    /// <summary>
    /// Flags batches that expected a webhook, ended (recorded) longer than <paramref name="margin"/> ago, and
    /// got no delivery announcing their end; returns only those flagged now, so each is reported once.
    /// </summary>
    Task<IReadOnlyList<MissedWebhook>> FlagMissedAsync(TimeSpan margin, int max, CancellationToken cancellationToken);
}

/// <summary>A batch whose end no webhook announced in time.</summary>
internal sealed record MissedWebhook(long BatchId, string Source, long RunId, string RemoteBatchId, string? RemoteStatus, int Deliveries, DateTimeOffset FinishedAt);

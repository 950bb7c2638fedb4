using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Core.Batches;

/// <summary>
/// The submit step's side of a create whose answer was lost: a timeout, a gateway's 5xx while the server still works
/// on it, or the step cut off mid-call (its lease lost in a database blip). The batch it may make can be listed only
/// once the server is done, later than Hangfire's retry comes back, so a look that finds nothing then proves nothing.
/// </summary>
internal sealed partial class BatchSubmitter
{
    /// <summary>
    /// Sends the create, having first recorded, durably, that it was sent: if no answer comes, the next run of the step
    /// knows a batch may still appear (<see cref="WaitsForUnansweredCreateAsync"/>). A create that certainly did nothing
    /// (a 429, a credits refusal, never sent or never connected) has its record taken back; one that failed otherwise
    /// keeps it, even where its failure opened the project's circuit and the step comes back as after a pause.
    /// </summary>
    private async Task<RemoteBatchHandle> CreateAsync(BatchRecord batch, IReadOnlyList<string> itemIds, Leases.Lease fence, CancellationToken cancellationToken)
    {
        // Fenced: a holder stalled past its lease, whose successor may have sent this create already, is stopped here, before it sends another.
        await store.RecordCreateSentAsync(batch.Id, sent: true, fence, cancellationToken);
        try
        {
            return await remote.CreateAsync(batch, itemIds, cancellationToken);
        }
        catch (LlamaCloudTransientException ex) when (ex.TookNoEffect)
        {
            await store.RecordCreateSentAsync(batch.Id, sent: false, fence, cancellationToken);
            throw;
        }
    }

    /// <summary>
    /// A look found no batch, but a create sent less than <c>LlamaCloud:UnansweredCreateWait</c> ago got no answer: the
    /// server may still make its batch. Creating (or giving up and sending the files again) now could bill the same files
    /// twice (docs/resilience.md, "A create that was not answered"), so the step comes back once the wait is over, using
    /// up no attempt, and looks again then; a worker is not kept waiting. True when it waits.
    /// </summary>
    private async Task<bool> WaitsForUnansweredCreateAsync(long batchId, AdoptionWindow window, Leases.Lease fence, CancellationToken cancellationToken)
    {
        if (window is not { CreateSentAt: { } sentAt, SinceCreateSent: { } since })
        {
            return false;
        }

        var wait = llamaCloud.Value.UnansweredCreateWait - since;
        if (wait <= TimeSpan.Zero)
        {
            return false;
        }

        await attempts.RefundAsync(batchId, fence, cancellationToken);
        scheduler.ScheduleSubmit(batchId, wait);
        logger.LogWarning(
            "Batch {BatchId}'s create sent at {SentAt} got no answer, and LlamaCloud lists no batch of it yet; it may still be made, so the submit step looks again in {Delay} before creating another (LlamaCloud:UnansweredCreateWait)",
            batchId, sentAt, wait);
        return true;
    }
}

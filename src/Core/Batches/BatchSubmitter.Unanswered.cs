using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.Retries;
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
    private async Task<RemoteBatchHandle> CreateAsync(BatchRecord batch, IReadOnlyList<string> itemIds, Lease fence, CancellationToken cancellationToken)
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
    private async Task<bool> WaitsForUnansweredCreateAsync(long batchId, AdoptionWindow window, Lease fence, CancellationToken cancellationToken)
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

    /// <summary>
    /// A refusal (400, 409, 422) after an earlier create got no answer proves nothing of that create: it may have made
    /// the batch, and a conflict may be the server saying so. Ended as a plain refusal, its reservations were released and
    /// its files failed, so that a retry sent and billed them again beside the batch LlamaCloud ran. The batch is looked
    /// for once more and adopted if listed; else it ends as one whose create could not be checked, its reservations kept,
    /// as when its directory is gone. False when no create went unanswered: a refusal as any other.
    /// </summary>
    private async Task<bool> RefusedAfterUnansweredCreateAsync(
        BatchRecord batch, AdoptionWindow window, LlamaCloudRejectedException refused, Lease fence, CancellationToken cancellationToken)
    {
        if (window.CreateSentAt is null)
        {
            return false;
        }

        RemoteBatchHandle? found = null;
        var why = "";
        try
        {
            found = await LookAsync(batch, window, cancellationToken);
        }
        catch (LlamaCloudTransientException ex) when (ex is { Deferred: true, RetryAfter: { } wait })
        {
            await DeferAsync(batch.Id, wait, ex, fence, cancellationToken); // throttled or paused: a later look may still find it
            return true;
        }
        catch (LlamaCloudException ex)
        {
            why = $" ({ex.Message})";
        }

        if (found is not null)
        {
            logger.LogWarning("Batch {BatchId}'s create was refused ({Reason}), but an earlier create made it remotely as {RemoteBatchId}; adopting it", batch.Id, refused.Message, found.Id);
            await RecordAsync(batch, found, fence, cancellationToken);
            return true;
        }

        await GiveUpUnconfirmedAsync(
            batch,
            $"LlamaCloud refused to create the batch: {refused.Detail ?? refused.Message}; an earlier create got no answer, and whether it made the batch could not be checked{why}: {LookForIt(batch)}",
            fence,
            cancellationToken);
        return true;
    }

    /// <summary>What a person must do before sending the files of a batch whose create may have taken effect unseen.</summary>
    private static string LookForIt(BatchRecord batch) =>
        $"look for a batch over directory {batch.DirectoryName} before retrying these files with --unconfirmed {batch.Id}";

    /// <summary>Ends the batch for a person, its reservations kept: LlamaCloud may have made it, and may bill it.</summary>
    private Task GiveUpUnconfirmedAsync(BatchRecord batch, string reason, Lease fence, CancellationToken cancellationToken) =>
        attempts.GiveUpAsync(batch.Id, batch.Source, new BatchAbandonment(reason, FailureClass.Unconfirmed, BackToQueue: false, MayBeBilled: true), fence, cancellationToken);

    /// <summary>
    /// LlamaCloud answered 404: the directory expired or vanished, and sending the create again would be refused again.
    /// The batch ends, its files back to the queue (while the retry rule allows) for the next run to upload afresh. But
    /// when an earlier attempt's snapshot shows a create may have been sent, the batch it made may exist and bill though
    /// its directory is gone: it is looked for first and adopted if found. If it cannot be looked for (the look itself
    /// may be what was answered 404), the batch ends for a person with its reservations kept, as after a last look that
    /// could not be made (docs/costs.md, "Settling"). A wait LlamaCloud asks for during that look defers the step as
    /// any other of its waits does: the next run looks again (its create is refused again, the directory being gone).
    /// </summary>
    private async Task DirectoryGoneAsync(BatchRecord batch, AdoptionWindow window, LlamaCloudRejectedException gone, Lease fence, CancellationToken cancellationToken)
    {
        var reason = $"LlamaCloud refused to create the batch: {gone.Detail ?? gone.Message}; its directory is gone";
        RemoteBatchHandle? found;
        try
        {
            // Without a snapshot, no create was ever sent.
            found = window.Preexisting is null ? null : await LookAsync(batch, window, cancellationToken);
        }
        catch (LlamaCloudTransientException ex) when (ex is { Deferred: true, RetryAfter: { } wait })
        {
            await DeferAsync(batch.Id, wait, ex, fence, cancellationToken);
            return;
        }
        catch (LlamaCloudException ex)
        {
            await GiveUpUnconfirmedAsync(batch, $"{reason}, and whether an earlier attempt created its batch could not be checked ({ex.Message}); {LookForIt(batch)}", fence, cancellationToken);
            return;
        }

        if (found is not null)
        {
            // Recorded outside the look's handlers, as a created batch is: a failure of what follows the record (a
            // cancel asked for meanwhile) is the recorded batch's to retry, not a reason to give up on a batch LlamaCloud runs.
            logger.LogWarning("Batch {BatchId}'s directory is gone, but an earlier attempt created it remotely as {RemoteBatchId}; adopting it", batch.Id, found.Id);
            await RecordAsync(batch, found, fence, cancellationToken);
            return;
        }

        await attempts.GiveUpAsync(batch.Id, batch.Source, new BatchAbandonment(reason, FailureClass.Transient, BackToQueue: true), fence, cancellationToken);
    }
}

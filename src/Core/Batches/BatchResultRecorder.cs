using BatchOrchestrator.Core.FollowUp;
using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Batches;

/// <summary>
/// The record step: read a terminal batch's per-file results (v2 <c>expand=results</c>, v1 items) and
/// give every file version its outcome (job reference, error and its class, or skip reason), in one
/// bulk write; then hand the job references to the follow-up at once, since results expire.
/// </summary>
internal sealed class BatchResultRecorder(
    IBatchStore store,
    RemoteBatches remote,
    IPipelineScheduler scheduler,
    IOptionsMonitor<SourcesOptions> sources,
    IOptions<FollowUpOptions> followUp,
    LeaseManager leases,
    RetryRuns retryRuns,
    TimeProvider time,
    ILogger<BatchResultRecorder> logger)
{
    /// <summary>How long a batch's results listed short of their total are read again before what was listed is recorded.</summary>
    internal static readonly TimeSpan ListedShortPatience = TimeSpan.FromHours(1);

    public async Task RecordAsync(long batchId, CancellationToken cancellationToken)
    {
        var batch = await store.GetAsync(batchId, cancellationToken);
        if (batch is null || !batch.State.IsTerminal() || batch.RemoteBatchId is null)
        {
            return; // not finished yet, or already recorded
        }

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["Source"] = batch.Source, ["RunId"] = batch.RunId, ["BatchId"] = batchId });
        BatchState remoteState;
        IReadOnlyList<FileResult> results;
        string? listedShort;
        try
        {
            (remoteState, results, listedShort) = await remote.GetResultsAsync(batch.Scope, batch.JobType, batch.RemoteBatchId, cancellationToken);
        }
        catch (LlamaCloudTransientException ex) when (ex is { Deferred: true, RetryAfter: { } wait, OpenedTheCircuit: false })
        {
            // The project is paused (its circuit is open) or LlamaCloud asked for a long wait: come back after
            // it rather than spend one of the job's retries on an answer known in advance. Not when this read opened the
            // circuit again after the service had answered others: a batch whose results always fail to read would pause
            // the project after every probe, for good, never spending a retry; it fails the step, whose retries space it out.
            scheduler.ScheduleRecord(batchId, wait);
            logger.LogWarning("Recording batch {BatchId} waits {Delay}: {Reason}", batchId, wait, ex.Message);
            return;
        }
        catch (LlamaCloudRejectedException ex) when (ex.IsNotFound)
        {
            await RecordLostAsync(batch, cancellationToken);
            return;
        }

        if (!remoteState.IsTerminal())
        {
            logger.LogWarning("Batch {BatchId} was {State} when polled but is {RemoteState} now; recording later", batchId, batch.State, remoteState);
            return;
        }

        if (listedShort is not null)
        {
            // A list read while LlamaCloud still writes it catches up: read again (the job's retry). But not for ever: the
            // batch would wait unrecorded until LlamaCloud forgets it, and then every file would be sent again, not only
            // the ones left out. How long a listing may lag is not documented; an hour is our guess.
            var since = await store.ListedShortSinceAsync(batchId, time.GetUtcNow(), cancellationToken);
            if (time.GetUtcNow() - since < ListedShortPatience)
            {
                throw new LlamaCloudTransientException($"{listedShort}; reading the list again later", null);
            }

            logger.LogWarning(
                "Batch {BatchId}: {Reason}, for {Since} now; recording what was listed: the files left out count as files the batch said nothing of (sent again), their first estimate kept against the caps",
                batchId, listedShort, time.GetUtcNow() - since);
        }

        // The follow-up is handed out below, after the commit; should that hand-out be lost (the database cut off
        // between the two, a crash), the poll tick hands it out again once a lease's time to live has passed,
        // as it does a dispatched follow-up whose job was lost. A re-run of this step finds the results
        // recorded and hands out nothing, so the claim is the only way back.
        var followingUp = followUp.Value.Enabled;
        var summary = await store.RecordResultsAsync(batchId, remoteState, results, PolicyFor(batch, followingUp) with { ListedShort = listedShort is not null }, cancellationToken);
        if (summary.AlreadyRecorded)
        {
            return;
        }

        logger.LogInformation(
            "Recorded batch {BatchId} ({RemoteState}): job references {Succeeded}, failed {Failed}, skipped {Skipped}, without a result {Unmapped}",
            batchId, remoteState, summary.Succeeded, summary.Failed, summary.Skipped, summary.Unmapped);
        WarnRefused(batch, results);
        if (followingUp && summary.FollowUps > 0)
        {
            scheduler.EnqueueFollowUp(batch.Source, batchId);
        }

        retryRuns.Follow(batch.Source, batchId, summary.SentBack, $"batch {batch.RemoteBatchId} ended {remoteState}; each file's error says why it failed");
        await FollowRemoteOnlyAsync(batch, remoteState, cancellationToken);
    }

    /// <summary>
    /// Files LlamaCloud failed in the batch itself for a reason another try would not cure (an unsupported type, an empty
    /// file): no run sends them again by itself, so a count in the summary line was all an operator learned of them.
    /// </summary>
    private void WarnRefused(BatchRecord batch, IReadOnlyList<FileResult> results)
    {
        var refused = results.Where(r => r is { Outcome: FileVersionState.Failed, ErrorClass: Retries.FailureClass.Permanent }).ToList();
        if (refused.Count > 0)
        {
            var reasons = refused.GroupBy(r => r.ErrorMessage ?? "no reason given").OrderByDescending(g => g.Count()).Take(3).Select(g => $"{g.Count()} × {g.Key}");
            // A RemoteOnly source's files are LlamaCloud's, in its directory: nothing here sends them, and the fix is there.
            var then = sources.CurrentValue.Find(batch.Source) is { Layout: RemoteLayout.RemoteOnly }
                ? $"they are files of its directory at LlamaCloud ({batch.DirectoryName}): fix or remove them there"
                : $"Needs a person lists them, and 'retry {batch.Source} --failed --permanent' sends them again once fixed";
            logger.LogWarning(
                "Batch {BatchId}: LlamaCloud failed {Count} of its files for a reason another try would not cure ({Reasons}); {Then}",
                batch.Id, refused.Count, string.Join("; ", reasons), then);
        }
    }

    /// <summary>
    /// A RemoteOnly batch has no file of ours to send back, yet one that failed as a whole (or was lost) left its directory
    /// unparsed, and on a nightly schedule the next run is a day away: a retry run is scheduled as for files sent back,
    /// while the source's batches in a row that did not complete are fewer than its MaxAttempts.
    /// </summary>
    private async Task FollowRemoteOnlyAsync(BatchRecord batch, BatchState ended, CancellationToken cancellationToken)
    {
        // One cancelled at LlamaCloud by no operator here left it unparsed as much as one that failed (FileVersionLifecycle.Unreported).
        var leftUnparsed = ended == BatchState.Failed || (ended == BatchState.Cancelled && !batch.CancelRequested);
        if (!leftUnparsed || sources.CurrentValue.Find(batch.Source) is not { Layout: RemoteLayout.RemoteOnly } source)
        {
            return;
        }

        var inARow = await store.RemoteOnlyFailuresInARowAsync(batch.Source, cancellationToken);
        if (inARow < source.MaxAttempts)
        {
            retryRuns.FollowDirectory(batch.Source, batch.Id);
            return;
        }

        logger.LogWarning(
            "Batch {BatchId} over remote-only {Source}'s directory {DirectoryId} failed, its {Count}th in a row (MaxAttempts {MaxAttempts}): no run is scheduled to send it again before the next scheduled one",
            batch.Id, batch.Source, batch.RemoteDirectoryId, inARow, source.MaxAttempts);
    }

    /// <summary>
    /// LlamaCloud no longer knows the batch (a 404 for the batch itself: it expired or was deleted, or an in-process
    /// Sandbox restarted), so its per-file results can never be read. Left as it was, it would stay open for good and
    /// this step fail on every hand-out. It ends as a batch that failed as a whole (<see cref="BatchLifecycle.LostRecordedAs"/>):
    /// its files go back to the queue while their attempts allow, its run may close. Whether it billed their jobs before
    /// it was lost cannot be read, so their reservations keep counting against the caps at the estimate (docs/costs.md,
    /// "Settling"): sent again, they are billed again, and a cap that took the first bill for nothing could be overrun.
    /// One an operator had asked to cancel ends as cancelled instead: its files are not sent again.
    /// </summary>
    private async Task RecordLostAsync(BatchRecord batch, CancellationToken cancellationToken)
    {
        var remoteId = batch.RemoteBatchId;
        var endsAs = BatchLifecycle.LostRecordedAs(batch.CancelRequested);
        var lost = new LostBatch(
            endsAs == BatchLifecycle.LostEndsAs
                ? $"LlamaCloud no longer knows batch {remoteId} (404: it expired or was deleted): its results cannot be read; its files go to the next run while their attempts allow"
                : $"LlamaCloud no longer knows batch {remoteId} (404: it expired or was deleted) and an operator asked to cancel it: it ended as cancelled; its files without a result are not sent again",
            $"LlamaCloud no longer knows batch {remoteId} (404), so this file's result cannot be read",
            endsAs);
        var summary = await store.RecordLostAsync(batch.Id, lost, PolicyFor(batch, followingUp: false), cancellationToken);
        if (summary.AlreadyRecorded)
        {
            return;
        }

        if (endsAs != BatchLifecycle.LostEndsAs)
        {
            logger.LogWarning(
                "LlamaCloud no longer knows batch {BatchId} ({RemoteBatchId}, 404), which an operator asked to cancel: it ended as cancelled, "
                + "and its {FileCount} files without a result are Skipped, as a cancelled batch's files are; whether it billed them cannot be known, so their estimated credits stay counted against the caps",
                batch.Id, remoteId, summary.Unmapped);
            return;
        }

        logger.LogWarning(
            "LlamaCloud no longer knows batch {BatchId} ({RemoteBatchId}, 404): it expired or was deleted, or a Sandbox without saved state restarted. "
            + "Its results cannot be read, so it ended and its {FileCount} files without a result go to the next run of {Source} while their attempts allow (MaxAttempts). "
            + "Whether it billed them cannot be known: their estimated credits stay counted against the caps (Costs page: No usage reported), and sending them again bills them again. "
            + "If this recurs, find what deletes batches, or why they wait longer than LlamaCloud keeps them",
            batch.Id, remoteId, summary.Unmapped, batch.Source);
        retryRuns.Follow(batch.Source, batch.Id, summary.SentBack, lost.FileReason);
        await FollowRemoteOnlyAsync(batch, endsAs, cancellationToken);
    }

    // A follow-up's first look is due a lease's time to live from now (why: in RecordAsync); none while follow-up is off.
    private RecordPolicy PolicyFor(BatchRecord batch, bool followingUp) => new(
        sources.CurrentValue.Find(batch.Source)?.MaxAttempts ?? new SourceOptions().MaxAttempts,
        followingUp ? time.GetUtcNow() + leases.TimeToLive : null,
        batch.CancelRequested);
}

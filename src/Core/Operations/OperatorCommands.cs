using System.Globalization;
using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.FollowUp;
using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Retries;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Operations;

/// <summary>
/// What an operator can ask for from the command line or the dashboard. Each command only records the
/// request and hands work to the pipeline's own steps, so it is safe at any moment and on any instance.
/// </summary>
internal sealed partial class OperatorCommands(
    IOptionsMonitor<SourcesOptions> sources,
    IOperatorStore store,
    IBatchStore batches,
    RemoteBatches remote,
    IFollowUpStore followUps,
    LeaseManager leases,
    IPipelineScheduler scheduler,
    ConfigurationEdits edits,
    ILogger<OperatorCommands> logger)
{
    /// <summary>How long a run a retry queued counts as about to start (docs/operations.md, "Command line").</summary>
    internal static readonly TimeSpan RetryRunStartsWithin = TimeSpan.FromMinutes(5);

    /// <summary>Starts a run of the source now (it waits behind a run in progress).</summary>
    public void StartRun(string source)
    {
        RequireRunnable(source, $"No run of {source} was queued");
        scheduler.EnqueueRun(source, RunTrigger.Manual);
        logger.LogInformation("Run of {Source} requested by an operator", source);
    }

    /// <summary>
    /// Puts the source's failed files back in the queue and starts a run to take them: every failed
    /// file except those a person must clear first (a permanent failure: an unsupported type, a corrupt file;
    /// an unconfirmed batch's), whatever its attempts so far. With none to put back, no run is started.
    /// </summary>
    public Task<RetryOutcome> RetryFailedAsync(string source, CancellationToken cancellationToken) =>
        RetryFailedAsync(source, ForcedRetry.None, cancellationToken);

    /// <summary>As <see cref="RetryFailedAsync(string, CancellationToken)"/>, and the classes <paramref name="forced"/> names too.</summary>
    public async Task<RetryOutcome> RetryFailedAsync(string source, ForcedRetry forced, CancellationToken cancellationToken)
    {
        RequireRunnable(source, $"No failed file of {source} was queued again, and no run was queued");
        var (requeued, leftOut, lookedFor) = await store.RequeueFailedAsync(source, forced, cancellationToken);
        if (lookedFor)
        {
            logger.LogInformation(
                "Batch {BatchId} of {Source} was looked for at LlamaCloud, an operator says: it no longer needs a person, and its source's runs plan over its directory again",
                forced.UnconfirmedBatch, source);
        }

        // A run an earlier retry queued, not started yet, takes every file waiting in the queue when it scans: a second run
        // would only find nothing new. Asked again (a double click, a script run twice), the answer says so and queues none.
        // Only for a while: a queued run starts within seconds, and one that has not after RetryRunStartsWithin was skipped
        // (the source edited since, or not configured on the instance that took it) or lost, and would wait for ever.
        var runWaiting = await store.RetryRunWaitingAsync(source, RetryRunStartsWithin, cancellationToken);
        if (requeued == 0)
        {
            // Files a failed batch sent back look failed to an operator, yet wait in the queue for a run that may be an hour
            // off (Pipeline:RetryRunAfter, or the schedule): asked to retry, a run takes them now. With none waiting, a run
            // would find nothing a scheduled one would not: none is started, so the answer is not "queued".
            var waiting = await store.CountSentBackAsync(source, cancellationToken);
            if (waiting > 0 && !runWaiting)
            {
                await QueueRetryRunAsync(source, cancellationToken);
            }

            logger.LogInformation(
                "No failed file of {Source} to queue again ({Included}, old failures of files no longer in the folder left out: {LeftOut}); {Waiting} sent back wait in the queue{Run}",
                source, Included(forced), leftOut, waiting,
                waiting == 0 ? "; no run started" : runWaiting ? ", for the run a retry queued, not started yet; no other run started" : ", a run is queued to take them");
            return new(0, waiting, leftOut, waiting > 0 && runWaiting, lookedFor);
        }

        if (!runWaiting)
        {
            await QueueRetryRunAsync(source, cancellationToken);
        }

        logger.LogInformation(
            "Failed files of {Source} queued again by an operator: {Count} ({Included}, old failures of files no longer in the folder left out: {LeftOut}){Run}",
            source, requeued, Included(forced), leftOut, runWaiting ? "; the run a retry queued, not started yet, takes them" : "");
        return new(requeued, 0, leftOut, runWaiting, lookedFor);
    }

    // Marked before it is queued, so that a run starting at once is seen to have started after it; taken back when it
    // could not be queued, so that the next retry queues one rather than answer that one is queued.
    private async Task QueueRetryRunAsync(string source, CancellationToken cancellationToken)
    {
        await store.MarkRetryRunQueuedAsync(source, cancellationToken);
        try
        {
            scheduler.EnqueueRun(source, RunTrigger.Manual);
        }
        catch
        {
            await store.ClearRetryRunQueuedAsync(source, CancellationToken.None);
            throw;
        }
    }

    /// <summary>
    /// Lets the files a run's planning held under a spending cap go on past the caps (docs/costs.md): they
    /// are approved, and a run of their source is started to plan them. Their cost still counts in the caps'
    /// windows. Returns how many were approved. A run of a source no longer configured is refused, as a retry of it is:
    /// its approved files would wait for a run that is only skipped. So is one of a source whose processing settings were
    /// edited since this process started: the approval would let them past the caps at a cost estimated under the old ones.
    /// </summary>
    public async Task<int> ApproveHeldAsync(long runId, CancellationToken cancellationToken)
    {
        if (await store.SourceOfRunAsync(runId, cancellationToken) is { } ofRun)
        {
            if (sources.CurrentValue.Find(ofRun) is null)
            {
                throw new ArgumentException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"Run {runId} is of '{ofRun}', which is no longer configured: nothing would plan the files it held. Put '{ofRun}' {SourcesOptions.RemovedSourceRemedy}, then approve it."));
            }

            RequireRunnable(ofRun, string.Create(CultureInfo.InvariantCulture, $"No file held by a cap in run {runId} was approved, and no run was queued"));
        }

        var approved = await store.ApproveHeldAsync(runId, cancellationToken);
        foreach (var (source, count) in approved)
        {
            scheduler.EnqueueRun(source, RunTrigger.Manual);
            if (count == 1)
            {
                logger.LogInformation("{Count} file of {Source} held by a cap in run {RunId} approved by an operator; a run is queued to take it", count, source, runId);
            }
            else
            {
                logger.LogInformation("{Count} files of {Source} held by a cap in run {RunId} approved by an operator; a run is queued to take them", count, source, runId);
            }
        }

        return approved.Values.Sum();
    }

    /// <summary>
    /// Gives job references whose follow-up ran out of attempts (a sink was down, say) another round,
    /// for one batch or, with <paramref name="batchId"/> null, every batch. Returns how many.
    /// </summary>
    public async Task<int> RetryFollowUpsAsync(long? batchId, CancellationToken cancellationToken)
    {
        var count = await followUps.RetryFailedAsync(batchId, cancellationToken);
        logger.LogInformation("{Count} follow-ups queued again by an operator", count);
        return count;
    }

    public async Task<CancelOutcome> CancelBatchAsync(long batchId, CancellationToken cancellationToken)
    {
        var target = await store.RequestBatchCancelAsync(batchId, cancellationToken);
        if (target is null)
        {
            return await batches.GetAsync(batchId, cancellationToken) is null ? CancelOutcome.NotFound : CancelOutcome.AlreadyEnded;
        }

        // Flagged only while a cancel still changes anything (BatchLifecycle.Cancellable): a batch with a remote id is one
        // LlamaCloud is working on, and one without has not reached it yet.
        CancelOutcome outcome = CancelOutcome.CancelSentToApi;
        if (target.RemoteBatchId is { } remoteId)
        {
            try
            {
                if (await remote.CancelAsync(target.Scope, target.JobType, remoteId, cancellationToken) is { } ended and not BatchState.Cancelled)
                {
                    // LlamaCloud had finished it before the poll saw it: the cancel changed nothing, and its record step
                    // must not read its files as an operator's cancel skipped them.
                    await store.WithdrawBatchCancelAsync(batchId, cancellationToken);
                    outcome = CancelOutcome.AlreadyEnded;
                }
                else
                {
                    await batches.MarkCancelSentAsync(batchId, cancellationToken);
                }
            }
            catch (LlamaCloudRejectedException ex) when (ex.IsConflict)
            {
                // Refused while it still runs: the request stays recorded, not taken, and the poller sends it again (BatchPoller).
                logger.LogWarning("LlamaCloud refused to cancel batch {BatchId} ({RemoteBatchId}) while it runs: {Reason}; the poller asks again", batchId, remoteId, ex.Message);
            }
            catch (LlamaCloudRejectedException ex) when (ex.IsNotFound)
            {
                // LlamaCloud no longer knows it (expired or deleted): the poll made due below finds it gone, and its record
                // step ends it as cancelled, as asked (BatchLifecycle.LostRecordedAs). A command-line verb without an API
                // key asks its own Sandbox, which never knew it: the service's poller, whose Sandbox does, sends it.
            }

            await batches.MakeDueNowAsync(remoteId, cancellationToken); // the next tick records the cancellation
        }
        else
        {
            outcome = await CancelUnrecordedAsync(batchId, cancellationToken);
        }

        logger.LogInformation("Cancel of batch {BatchId} requested by an operator: {Outcome}", batchId, outcome);
        return outcome;
    }

    /// <summary>
    /// A batch no remote id is recorded for. If no step holds it and no create was ever sent for it, it ends now, fenced as a
    /// step's end of it is; otherwise, or refused that end, its step sees the flag. A create may have been sent once the directory's
    /// snapshot is taken (a submit that died before recording it): the submit step looks for the batch it made, and cancels it there.
    /// </summary>
    private async Task<CancelOutcome> CancelUnrecordedAsync(long batchId, CancellationToken cancellationToken)
    {
        await using (var lease = await leases.TryHoldAsync(BatchLease.Name(batchId), cancellationToken))
        {
            if (lease is null)
            {
                return CancelOutcome.CancelRequested;
            }

            if ((await batches.GetAdoptionWindowAsync(batchId, lease.Token)).Preexisting is null)
            {
                return await LeaseLostException.OrWhenRefusedAsync(batches.FinishCancelledAsync(batchId, lease.Lease, lease.Token), false) ? CancelOutcome.CancelledLocally : CancelOutcome.CancelRequested;
            }
        }

        scheduler.EnqueueSubmit(batchId); // once the lease is released, so that the submit step finds the batch free
        return CancelOutcome.CancelRequested;
    }

    /// <summary>
    /// Cancels every batch of the run that has not ended; returns each batch's outcome. A run still scanning has planned
    /// none yet, or not all: the request is recorded on it first, so that each batch its planning makes is born
    /// cancel-requested and ends before anything of it is sent (its files Skipped, its reservations freed).
    /// </summary>
    public async Task<RunCancelOutcome> CancelRunAsync(long runId, CancellationToken cancellationToken)
    {
        var planning = await store.RequestRunCancelAsync(runId, cancellationToken);
        var outcomes = new Dictionary<long, CancelOutcome>();
        foreach (var batchId in await store.OpenBatchesOfRunAsync(runId, cancellationToken))
        {
            outcomes[batchId] = await CancelBatchAsync(batchId, cancellationToken);
        }

        if (planning)
        {
            logger.LogInformation("Cancel of run {RunId} requested by an operator while it scans: the batches it plans end before they are sent", runId);
        }

        return new(outcomes, planning);
    }

    /// <summary>What a cancel of a run still scanning says, as the verb and the dashboard answer.</summary>
    public static string DescribeCancelWhileScanning(long runId) => string.Create(
        CultureInfo.InvariantCulture,
        $"Run {runId} is still scanning: each batch it plans is cancelled before anything of it is sent (its files end Skipped).");

    private void RequireSource(string source) => sources.CurrentValue.Require(source);

    // The run would be skipped with a Warning (SourceRunner): answering "queued" would tell the operator it happens. Refused
    // before anything changes, so the files wait as they are for the restart that applies the edit (docs/configuration.md,
    // "Editing the configuration of a running service").
    private void RequireRunnable(string source, string refused)
    {
        RequireSource(source);
        if (edits.WhyNotRun(source) is { } edited)
        {
            throw new ArgumentException($"{refused}: since this service started, {edited}. Its runs wait for the restart that applies the edit (check it first with 'config check'); its files wait meanwhile.");
        }
    }
}

/// <summary>
/// What a retry of failed files did: how many it queued again, (when none) how many a batch had sent back already, how
/// many failures of old versions (files deleted, renamed or changed since) it left out, and whether the run to take them
/// was one an earlier retry had queued and that had not started yet (then no other was queued); whether the unconfirmed
/// batch it named no longer waits to be looked for.
/// </summary>
internal sealed record RetryOutcome(int Requeued, int Waiting, int LeftOut = 0, bool RunAlreadyQueued = false, bool LookedFor = false);

/// <summary>
/// What a run's cancel did: each open batch's outcome, and whether the run was still scanning, so that the batches its
/// planning makes are cancelled as they are born.
/// </summary>
internal sealed record RunCancelOutcome(IReadOnlyDictionary<long, CancelOutcome> Batches, bool StillScanning);

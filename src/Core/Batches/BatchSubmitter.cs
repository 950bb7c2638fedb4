using System.Diagnostics.CodeAnalysis;
using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Retries;

namespace BatchOrchestrator.Core.Batches;

/// <summary>
/// The submit step. The row is already in state Creating before the POST; a rerun after a crash
/// between the POST and recording it finds the remote batch by its directory (v1 item-scoped jobs:
/// by their items) and adopts it, so a batch is never created (and billed) twice.
/// </summary>
internal sealed partial class BatchSubmitter(
    IBatchStore store,
    RemoteBatches remote,
    StrayCopies strays,
    IPipelineScheduler scheduler,
    IBatchWebhooks webhooks,
    LeaseManager leases,
    PauseGate pauses,
    StepAttempts attempts,
    IOptions<PollingOptions> polling,
    IOptions<LlamaCloudOptions> llamaCloud,
    TimeProvider time,
    ILogger<BatchSubmitter> logger)
{
    public async Task SubmitAsync(long batchId, CancellationToken cancellationToken)
    {
        var batch = await store.GetAsync(batchId, cancellationToken);
        if (!AwaitsSubmit(batch))
        {
            return; // not ready yet, or already submitted
        }

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["Source"] = batch.Source, ["RunId"] = batch.RunId, ["BatchId"] = batchId });
        if (!batch.CancelRequested && await pauses.HoldsAsync(batch.Scope, cancellationToken) is { } pause)
        {
            // The project is paused: create nothing, fail nothing, use up no retry; look again when it may have lifted.
            var wait = pause.ComeBackIn(time.GetUtcNow());
            scheduler.ScheduleSubmit(batchId, wait);
            logger.LogInformation("Project {Project} is paused ({Reason}); submitting batch {BatchId} waits {Delay}", pause.Project, pause.Reason.Label(), batchId, wait);
            return;
        }

        await using var lease = await leases.TryHoldAsync(BatchLease.Name(batchId), cancellationToken);
        if (lease is null)
        {
            // Its holder is at work, or gone without releasing it (a database outage): look again once
            // the lease would have expired. Not a failure, and no retry of this job is used up.
            scheduler.ScheduleSubmit(batchId, leases.TimeToLive);
            logger.LogInformation("Batch {BatchId} is held by another worker; its submit step looks again in {Delay}", batchId, leases.TimeToLive);
            return;
        }

        try
        {
            await SubmitUnderLeaseAsync(batchId, lease, cancellationToken);
        }
        catch (LeaseLostException lost)
        {
            lost.Warn(logger, "submit", batchId); // the holder that took the lease over creates or adopts the batch
        }
    }

    private async Task SubmitUnderLeaseAsync(long batchId, HeldLease lease, CancellationToken stopping)
    {
        // Look again under the lease: the holder before us may have just recorded it.
        var batch = await store.GetAsync(batchId, lease.Token);
        if (!AwaitsSubmit(batch))
        {
            return;
        }

        var (cancellationToken, fence) = (lease.Token, lease.Lease); // the job's own token, stopping, is the service's stop, not a lost lease
        if (batch.CancelRequested)
        {
            await CancelUnrecordedAsync(batch, fence, cancellationToken);
            return;
        }

        if (batch.RemoteDirectoryId is null)
        {
            // Cannot happen by our own moves; if it does, no attempt would ever do better.
            var reason = "it is ready to submit but has no remote directory, so no batch can be created over it; retry its files with --permanent";
            await attempts.GiveUpAsync(batchId, batch.Source, new BatchAbandonment(reason, FailureClass.Permanent, BackToQueue: false), fence, cancellationToken);
            return;
        }

        // As this run found it: a snapshot of the directory already taken means an earlier attempt may have sent a create.
        var window = await store.GetAdoptionWindowAsync(batchId, cancellationToken);
        if (window.Preexisting is null && await attempts.EndIfSourceRemovedAsync(batchId, batch.Source, BatchStep.Submit, fence, cancellationToken) != SourceCheck.Configured)
        {
            return; // no create was ever sent: nothing of it exists remotely to follow
        }

        var attempt = await attempts.CountAsync(batchId, cancellationToken);
        RemoteBatchHandle? created;
        try
        {
            created = attempts.Exhausted(attempt) ? await LastLookAsync(batch, window, fence, cancellationToken) : await FindOrCreateAsync(batch, window, fence, cancellationToken);
        }
        catch (LlamaCloudRejectedException ex) when (ex.IsNotFound)
        {
            await DirectoryGoneAsync(batch, window, ex, fence, cancellationToken);
            return;
        }
        catch (LlamaCloudTransientException ex) when (ex is { Deferred: true, RetryAfter: { } wait })
        {
            await DeferAsync(batchId, wait, ex, fence, cancellationToken);
            return;
        }
        catch (LlamaCloudRejectedException ex) when (ex.ErrorClass == ApiErrorClass.Rejected)
        {
            // Refused as asked (a directory over the file limit, a configuration that does not fit; a duplicate or a conflict,
            // as 400, 409 or 422, docs/llamacloud-api.md §11.2): the same request would be refused again. The batch ends with
            // the reason, its files waiting for an operator; unless an earlier create may have made it after all.
            if (!await RefusedAfterUnansweredCreateAsync(batch, window, ex, fence, cancellationToken))
            {
                await attempts.RefusedAsync(batchId, batch.Source, "create the batch", ex, fence, cancellationToken);
            }

            return;
        }
        catch (OperationCanceledException ex) when (ex is not LeaseLostException && stopping.IsCancellationRequested)
        {
            // A lost lease goes on to its warning even while the service stops: its refund of the new holder's count would be refused.
            await attempts.StoppedAsync(batchId, fence); // a create it sent stays recorded: the next run looks for it first
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await attempts.FailedAsync(batchId, ex);
            throw;
        }

        if (created is null)
        {
            return; // given up (after its last look, or its source is no longer configured), or waiting for an unanswered create
        }

        await RecordAsync(batch, created, fence, cancellationToken);
    }

    /// <summary>
    /// LlamaCloud asked for a longer wait than we sleep in-process, or paused the project: the step comes back after
    /// it, without using up a retry or an attempt (a create that was refused is safe to look for again).
    /// </summary>
    private async Task DeferAsync(long batchId, TimeSpan wait, LlamaCloudTransientException ex, Lease fence, CancellationToken cancellationToken)
    {
        await attempts.RefundAsync(batchId, fence, cancellationToken);
        scheduler.ScheduleSubmit(batchId, wait);
        logger.LogWarning("Submitting batch {BatchId} waits {Delay} on LlamaCloud's request: {Reason}", batchId, wait, ex.Message);
    }

    private async Task RecordAsync(BatchRecord batch, RemoteBatchHandle created, Lease fence, CancellationToken cancellationToken)
    {
        var state = created.State;
        await store.RecordSubmittedAsync(batch.Id, created.Id, state, polling.Value.InitialDelay, fence, cancellationToken);
        await webhooks.SubmittedAsync(batch.Id, batch.JobType, cancellationToken);
        if (state.IsTerminal())
        {
            scheduler.EnqueueRecord(batch.Id); // an adopted batch may have finished already
        }
        else if ((await store.GetAsync(batch.Id, cancellationToken))?.CancelRequested == true)
        {
            await CancelCreatedAsync(batch, created.Id, cancellationToken);
        }
    }

    private async Task<RemoteBatchHandle?> FindOrCreateAsync(BatchRecord batch, AdoptionWindow window, Lease fence, CancellationToken cancellationToken)
    {
        // Look before creating: an earlier attempt may have created it and died before recording it. A
        // mirror's or a remote-only source's directory also holds batches that are not this row's
        // (earlier runs', or another tool's): only one that appeared after our snapshot of the
        // directory, taken just before our first POST, and that no row of ours recorded, is the lost attempt.
        var itemIds = await ItemIdsAsync(batch, cancellationToken);
        var created = await remote.FindCreatedAsync(batch, itemIds, cancellationToken, window.MayAdopt);
        if (created is not null)
        {
            logger.LogWarning("Batch {BatchId} was already created remotely as {RemoteBatchId} by an earlier attempt; adopting it", batch.Id, created.Id);
            return created;
        }

        if (await WaitsForUnansweredCreateAsync(batch.Id, window, fence, cancellationToken))
        {
            return null; // an earlier attempt's create may still make its batch
        }

        var check = await attempts.EndIfSourceRemovedAsync(batch.Id, batch.Source, BatchStep.Submit, fence, cancellationToken);
        if (check == SourceCheck.HandedBack)
        {
            await attempts.RefundAsync(batch.Id, fence, cancellationToken); // counted above, yet it did none of the step's work
        }

        if (check != SourceCheck.Configured)
        {
            return null; // an earlier attempt's create made nothing; none is sent for a source no longer configured (here)
        }

        await strays.RemoveBeforeCreateAsync(batch, remote.NeedsItemIds(batch), fence, cancellationToken); // the create parses all the directory holds
        if (window.Preexisting is null)
        {
            await store.RecordPreexistingBatchesAsync(batch.Id, await remote.ListIdsAsync(batch, cancellationToken), fence, cancellationToken);
        }

        created = await CreateAsync(batch, itemIds, fence, cancellationToken);
        logger.LogInformation(
            "Submitted batch {BatchId} as {RemoteBatchId} ({JobType}, {ConfigurationId}) in project {Project}",
            batch.Id, created.Id, batch.JobType, batch.ConfigurationId, batch.Scope.Key);
        return created;
    }

    /// <summary>
    /// The attempts are used up: one last look for a batch an earlier attempt created, and no create. Found, it
    /// is adopted; not found, the batch ends and its files go back to the queue (nothing was created, so none
    /// is paid for twice). If LlamaCloud cannot be asked, the files fail and wait for a person: sending them
    /// again by themselves could create (and bill) a second batch. Without a snapshot no create was ever sent
    /// (each is preceded by one): there is nothing to look for, and nothing a person must check.
    /// </summary>
    private async Task<RemoteBatchHandle?> LastLookAsync(BatchRecord batch, AdoptionWindow window, Lease fence, CancellationToken cancellationToken)
    {
        try
        {
            if (window.Preexisting is not null && await LookAsync(batch, window, cancellationToken) is { } found)
            {
                logger.LogWarning("Batch {BatchId} was created remotely as {RemoteBatchId} by an earlier attempt; adopting it", batch.Id, found.Id);
                return found;
            }

            if (await WaitsForUnansweredCreateAsync(batch.Id, window, fence, cancellationToken))
            {
                return null; // its files go back to the queue only once that create can no longer make a batch
            }

            await attempts.GiveUpAsync(batch.Id, batch.Source, new BatchAbandonment(attempts.UsedUp(BatchStep.Submit), FailureClass.Transient, BackToQueue: true), fence, cancellationToken);
        }
        catch (LlamaCloudException ex) when (ex is not LlamaCloudTransientException { Deferred: true })
        {
            var reason = $"the submit step failed {attempts.Max} times, and whether an earlier attempt created its batch could not be checked ({ex.Message}); "
                + $"look for a batch over directory {batch.DirectoryName} before retrying these files with --unconfirmed {batch.Id}";
            await attempts.GiveUpAsync(batch.Id, batch.Source, new BatchAbandonment(reason, FailureClass.Unconfirmed, BackToQueue: false, MayBeBilled: true), fence, cancellationToken);
        }

        return null;
    }

    /// <summary>The batch an earlier attempt created and no row recorded, if LlamaCloud lists one after the snapshot (<see cref="AdoptionWindow"/>).</summary>
    private async Task<RemoteBatchHandle?> LookAsync(BatchRecord batch, AdoptionWindow window, CancellationToken cancellationToken) =>
        await remote.FindCreatedAsync(batch, await ItemIdsAsync(batch, cancellationToken), cancellationToken, window.MayAdopt);

    /// <summary>What a v1 item-scoped job names and is found by: its files' remote ids; other jobs name their directory.</summary>
    private async Task<IReadOnlyList<string>> ItemIdsAsync(BatchRecord batch, CancellationToken cancellationToken) =>
        remote.NeedsItemIds(batch) ? await store.GetRemoteFileIdsAsync(batch.Id, cancellationToken) : [];

    private static bool AwaitsSubmit([NotNullWhen(true)] BatchRecord? batch) =>
        batch is { RemoteBatchId: null } && BatchLifecycle.Submit.CanStartFrom(batch.State);
}

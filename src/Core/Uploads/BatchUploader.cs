using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Uploads;

/// <summary>
/// The upload step: ensure the batch's remote directory, upload each file version once under its
/// deterministic <c>unique_id</c> (<see cref="FileSender"/>, one file's failure ending that file alone),
/// then hand the batch to submission. Safe to run twice: a file whose upload may have happened is looked
/// up by <c>unique_id</c> before it is sent again. It starts nothing while the project is paused, and
/// gives the batch up after <c>Pipeline:MaxStepAttempts</c> runs (docs/resilience.md).
/// </summary>
internal sealed partial class BatchUploader(
    IUploadStore store,
    IBatchApis apis,
    IOptionsMonitor<SourcesOptions> sources,
    IOptions<PipelineOptions> pipeline,
    IBatchStore batches,
    IPipelineScheduler scheduler,
    LeaseManager leases,
    UploadSlots slots,
    PauseGate pauses,
    StepAttempts attempts,
    FileSender sender,
    BatchDirectory directories,
    RetryRuns retryRuns,
    TimeProvider time,
    ILogger<BatchUploader> logger)
{
    public async Task UploadAsync(long batchId, CancellationToken cancellationToken)
    {
        var work = await store.GetWorkAsync(batchId, cancellationToken);
        if (work is null || BatchLifecycle.OwedStep(work.State) != BatchStep.Upload)
        {
            // Already past this step. Should this be the step's own job run anew (its process killed between the batch's
            // last save and its hand-on), nothing else hands the batch on before the stalled-step sweep: it is handed on
            // here. A second submit job, should the first be alive, finds the batch submitted, or leased (and looks again
            // a lease later); the batch is created once (docs/resilience.md, "Database outages").
            HandOnToSubmit(batchId, work?.State);
            if (work is { CancelRequested: true } && BatchLifecycle.Ended.Contains(work.State))
            {
                // An operator's cancel ended it before this job ran, which was handed the source's slot: it hands the
                // slot on, or the source's next batches would wait for the stalled-step sweep.
                await slots.LeaveAsync(work.Source, batchId, SlotHandOn.Lowest, cancellationToken);
            }

            return;
        }

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["Source"] = work.Source, ["BatchId"] = batchId });
        if (!work.CancelRequested && await pauses.HoldsAsync(work.Scope, cancellationToken) is { } pause)
        {
            // The project is paused: start nothing, fail nothing, use up no retry; look again when it may have lifted.
            var wait = pause.ComeBackIn(time.GetUtcNow());
            scheduler.ScheduleUpload(work.Source, batchId, wait);
            logger.LogInformation("Project {Project} is paused ({Reason}); the upload step of batch {BatchId} looks again in {Delay}", pause.Project, pause.Reason.Label(), batchId, wait);
            return;
        }

        if (!slots.TryEnter(work.Source, batchId))
        {
            logger.LogInformation("Batch {BatchId} uploads once an earlier batch of {Source} has finished uploading", batchId, work.Source);
            return;
        }

        var handOn = SlotHandOn.NextAfterThis; // kept if the step throws: it waits for its retry
        try
        {
            handOn = await UploadInSlotAsync(work, batchId, cancellationToken) ? SlotHandOn.Lowest : SlotHandOn.None;
        }
        catch (LeaseLostException lost)
        {
            lost.Warn(logger, "upload", batchId); // any fenced write of the step, its give-up and refund too: the new holder carries the batch on
            handOn = SlotHandOn.Lowest;
        }
        finally
        {
            await slots.LeaveAsync(work.Source, batchId, handOn, cancellationToken);
        }
    }

    /// <summary>Returns false when the batch only waits on LlamaCloud's request: the source's next batch would meet the same wait.</summary>
    private async Task<bool> UploadInSlotAsync(UploadWork work, long batchId, CancellationToken cancellationToken)
    {
        BatchState? state;
        await using (var lease = await leases.TryHoldAsync(BatchLease.Name(batchId), cancellationToken))
        {
            if (lease is null)
            {
                // Its holder is at work, or gone without releasing it (a database outage): look again once
                // the lease would have expired. Not a failure, and no retry of this job is used up.
                scheduler.ScheduleUpload(work.Source, batchId, leases.TimeToLive);
                logger.LogInformation("Batch {BatchId} is held by another worker; its upload step looks again in {Delay}", batchId, leases.TimeToLive);
                return true;
            }

            var check = work.CancelRequested ? SourceCheck.Configured : await attempts.EndIfSourceRemovedAsync(batchId, work.Source, BatchStep.Upload, lease.Lease, lease.Token);
            if (check != SourceCheck.Configured || await attempts.BeginCountedAsync(batchId, work.Source, BatchStep.Upload, lease.Lease, lease.Token) is not { } attempt)
            {
                // Ended with its reason (its source no longer configured, or its attempts used up), its files queued again; or handed
                // back to an instance that may know its source, and then handing the slot on would only bring the next batch here.
                return check != SourceCheck.HandedBack;
            }

            try
            {
                state = await UploadUnderLeaseAsync(work, batchId, attempt, lease.Lease, lease.Token);
            }
            catch (LlamaCloudTransientException ex) when (ex is { Deferred: true, RetryAfter: { } wait })
            {
                // LlamaCloud asked the project to wait longer than we sleep in-process, or paused it: come back
                // after it, without using up a retry or an attempt. Files sent so far are recorded.
                await attempts.RefundAsync(batchId, lease.Lease, lease.Token);
                scheduler.ScheduleUpload(work.Source, batchId, wait);
                logger.LogWarning("Uploads of batch {BatchId} wait {Delay} on LlamaCloud's request: {Reason}", batchId, wait, ex.Message);
                return false;
            }
            catch (LlamaCloudRejectedException ex) when (ex.ErrorClass is ApiErrorClass.Rejected or ApiErrorClass.Auth)
            {
                // Refused for the batch as a whole: its directory, or the key (or the source's project), which every
                // request of the batch would meet. No batch exists remotely yet to lose track of, so its files fail with
                // the refusal's class (Auth puts them before a person); once the cause is fixed, a retry sends them afresh.
                var what = ex.ErrorClass == ApiErrorClass.Auth ? "accept the API key for this source's project" : "set up the batch's directory";
                await attempts.RefusedAsync(batchId, work.Source, what, ex, lease.Lease, lease.Token);
                return true;
            }
            catch (OperationCanceledException ex) when (ex is not LeaseLostException && cancellationToken.IsCancellationRequested)
            {
                await attempts.StoppedAsync(batchId, lease.Lease); // files sent so far are recorded; the next run sends the rest
                throw;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await attempts.FailedAsync(batchId, ex);
                throw;
            }
        }

        HandOnToSubmit(batchId, state); // once the lease is released, so that the submit step finds the batch free
        return true;
    }

    private async Task<BatchState?> UploadUnderLeaseAsync(UploadWork work, long batchId, int attempt, Lease fence, CancellationToken cancellationToken)
    {
        if (work.CancelRequested)
        {
            await FinishCancelledAsync(batchId, fence, cancellationToken);
            return null;
        }

        var source = sources.CurrentValue.Find(work.Source)
            ?? throw new InvalidOperationException($"Batch {batchId} belongs to source '{work.Source}', which is no longer configured");
        var api = apis.For(work.Scope);
        var directoryId = work.RemoteDirectoryId ?? await directories.EnsureAsync(api, work, fence, cancellationToken);
        var root = Path.GetFullPath(source.Path);
        var lane = new UploadLane(source.Name, source.Priority); // its share of the project's upload pace
        if (await SendFilesAsync(api, work, directoryId, root, lane, attempt, fence, cancellationToken) is { } notFound)
        {
            if (!await BatchDirectory.IsGoneAsync(api, directoryId, cancellationToken))
            {
                notFound.Throw(); // the directory is there: the 404 named something else, a refusal as before
            }

            // The batch's directory is gone before its submission (expired, deleted): not a refusal of the batch.
            // Its files go into a new one.
            var gone = directoryId;
            work = await directories.ReplaceAsync(api, work, gone, fence, cancellationToken);
            directoryId = work.RemoteDirectoryId!;
            if (await SendFilesAsync(api, work, directoryId, root, lane, attempt, fence, cancellationToken) is { } again)
            {
                // The new one is gone too, at once: the step's retry looks again rather than refusing the batch.
                throw new LlamaCloudTransientException(
                    $"directory {directoryId} of batch {batchId}, made to replace {gone}, answered 404 too", null, inner: again.SourceException);
            }
        }

        if (work.Layout == RemoteLayout.Mirror)
        {
            await directories.PropagateDeletionsAsync(api, work, directoryId, fence, cancellationToken);
        }

        var state = await store.FinishUploadsAsync(batchId, fence, cancellationToken);
        if (BatchLifecycle.OwedStep(state) == BatchStep.Upload)
        {
            await FinishCancelledAsync(batchId, fence, cancellationToken); // an operator cancelled it while we uploaded
            return null;
        }

        if (work.Files.Count == 0 && work.Layout == RemoteLayout.Mirror)
        {
            logger.LogInformation("Batch {BatchId} of mirror {DirectoryId} removed the copies of deleted files; nothing new to parse, so nothing is submitted", batchId, directoryId);
        }
        else
        {
            logger.LogInformation("Uploads of batch {BatchId} finished; batch is {State}", batchId, state);
        }

        return state;
    }

    private void HandOnToSubmit(long batchId, BatchState? state)
    {
        if (state is { } uploaded && BatchLifecycle.OwedStep(uploaded) == BatchStep.Submit)
        {
            scheduler.EnqueueSubmit(batchId);
        }
    }

    private async Task FinishCancelledAsync(long batchId, Lease fence, CancellationToken cancellationToken)
    {
        await batches.FinishCancelledAsync(batchId, fence, cancellationToken);
        logger.LogInformation("Batch {BatchId} was cancelled by an operator before it was submitted", batchId);
    }
}

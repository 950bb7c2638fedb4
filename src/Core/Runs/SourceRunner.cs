using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Planning;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Runs;

/// <summary>
/// A run of one source: under the source's lease, scan, have <see cref="BatchPlanner"/> put new file
/// versions into batches, and hand each batch to its first step (upload, or submit for a remote-only source). Never two at once for one source, on any instance; a run
/// asked for meanwhile is remembered and happens right after.
/// </summary>
internal sealed class SourceRunner(
    IOptionsMonitor<SourcesOptions> sources,
    LeaseManager leases,
    SourceScanner scanner,
    BatchPlanner planner,
    IRunStore runs,
    IPipelineScheduler scheduler,
    IOptions<PipelineOptions> pipeline,
    IBatchApis apis,
    ProjectScopes scopes,
    ConfigurationEdits edits,
    ILogger<SourceRunner> logger)
{
    public async Task RunAsync(string sourceName, RunTrigger trigger, CancellationToken cancellationToken)
    {
        var source = sources.CurrentValue.Find(sourceName);
        if (source is null)
        {
            logger.LogWarning("Source {Source} is not configured on this instance; run skipped (instances on one database need the same Sources)", sourceName);
            return;
        }

        // Settings are read at start; an edit that renames or removes the source, or changes what its files are sent
        // under, waits for the restart that applies it rather than being run under the settings it replaces.
        if (edits.WhyNotRun(sourceName) is { } edited)
        {
            logger.LogWarning(
                "Run of {Source} skipped ({Trigger}): since this service started, {Reason}. Nothing of it is sent under the settings it started with; its files wait, "
                + "and are taken by the first run after a restart, which applies the edit (check it first with 'config check'; docs/configuration.md, \"Editing the configuration of a running service\")",
                sourceName, trigger, edited);
            return;
        }

        var lease = await TryHoldSourceAsync(sourceName, cancellationToken);
        if (lease is null)
        {
            logger.LogInformation("A run of {Source} is in progress; this {Trigger} trigger is queued behind it", sourceName, trigger);
            return;
        }

        await using (lease)
        {
            await RunHeldAsync(source, trigger, lease.Token);
        }

        // After release, so a trigger that arrives between our check and the release is not lost:
        // it either sees the lease free and runs itself, or its request is here to take.
        if (await runs.TakeRerunRequestAsync(sourceName, cancellationToken))
        {
            scheduler.EnqueueRun(sourceName, RunTrigger.Rerun);
        }
    }

    private async Task<HeldLease?> TryHoldSourceAsync(string sourceName, CancellationToken cancellationToken)
    {
        var name = SourceLease.Name(sourceName);
        var lease = await leases.TryHoldAsync(name, cancellationToken);
        if (lease is not null)
        {
            return lease;
        }

        await runs.RequestRerunAsync(sourceName, cancellationToken);
        return await leases.TryHoldAsync(name, cancellationToken); // the holder may have just finished
    }

    private async Task RunHeldAsync(SourceOptions source, RunTrigger trigger, CancellationToken cancellationToken)
    {
        // The source's lease is ours, so no scan of it is alive: a run of it still Scanning was left by a process killed
        // mid-scan, and would read as in progress for ever (the Runs page, 'status', runs_active{state="Scanning"}).
        foreach (var interrupted in await runs.EndInterruptedScansAsync(source.Name, RunLifecycle.InterruptedScanError, cancellationToken))
        {
            logger.LogWarning(
                "Run {InterruptedRunId} of {Source} was interrupted: the process scanning it ended before the scan finished (killed or crashed); {Outcome}, this run scans again",
                interrupted.Id, source.Name, RunLifecycle.InterruptedOutcome(interrupted.State));
        }

        var runId = await runs.StartRunAsync(source.Name, trigger, cancellationToken);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["Source"] = source.Name, ["RunId"] = runId });
        try
        {
            if (source.Layout == RemoteLayout.RemoteOnly)
            {
                await RunRemoteOnlyAsync(runId, source, cancellationToken);
                return;
            }

            var summary = await scanner.ScanAsync(source, cancellationToken);
            var planned = await planner.PlanAsync(runId, source, summary.NewVersions > 0, cancellationToken);
            await runs.FinishScanAsync(runId, summary with { Held = planned.Held }, planned.BatchIds.Count, cancellationToken);
            HandOn(source.Name, planned);

            if (SettleRun.After(summary, source.SettleWindow) is { } settleIn)
            {
                scheduler.ScheduleRun(source.Name, RunTrigger.Settle, settleIn);
            }

            if (planned.WaitsForOpenBatch && pipeline.Value.RetryRunAfter > TimeSpan.Zero)
            {
                // A mirror's changes wait for its open batch, and nothing starts a run when that batch ends: without one,
                // they would wait for the schedule. A run meanwhile that still finds the batch open asks again.
                scheduler.ScheduleRun(source.Name, RunTrigger.Retry, pipeline.Value.RetryRunAfter);
                logger.LogInformation(
                    "Run {RunId} of mirror {Source}: its previous batch is still open; what this run found is sent by a run in {Delay}",
                    runId, source.Name, pipeline.Value.RetryRunAfter);
            }

            if (planned.BatchIds.Count == 1)
            {
                logger.LogInformation("Run {RunId} of {Source} planned {BatchCount} batch", runId, source.Name, planned.BatchIds.Count);
            }
            else
            {
                logger.LogInformation("Run {RunId} of {Source} planned {BatchCount} batches", runId, source.Name, planned.BatchIds.Count);
            }
        }
        catch (LlamaCloudRejectedException ex) when (source.Layout == RemoteLayout.RemoteOnly)
        {
            // The directory is gone, in another project, or the key may not read it: asking again will not help.
            var reason = $"remote directory {source.RemoteDirectoryId} could not be listed: {ex.Message}";
            await runs.FailRunAsync(runId, reason, CancellationToken.None);
            logger.LogError("Run {RunId} of {Source} failed: {Reason}", runId, source.Name, reason);
        }
        catch (Exception ex)
        {
            // The run row must not stay "Scanning" forever: record why it ended, then let a transient
            // failure go to the job's retry. A missing or unreadable folder is not worth retrying.
            await runs.FailRunAsync(runId, ex is OperationCanceledException ? "interrupted (shutdown or lost lease)" : ex.Message, CancellationToken.None);
            if (ex is IOException or UnauthorizedAccessException or RunRefusedException)
            {
                logger.LogError("Run {RunId} of {Source} failed: {Reason}", runId, source.Name, ex.Message);
                return;
            }

            throw;
        }
    }

    /// <summary>
    /// A remote-only source has nothing local to scan: its directory is listed instead, and batched as it is unless its
    /// latest batch completed over the same files, since each batch bills every file in it (docs/sources.md, "Remote layouts").
    /// </summary>
    private async Task RunRemoteOnlyAsync(long runId, SourceOptions source, CancellationToken cancellationToken)
    {
        var files = await apis.For(scopes.For(source)).ListDirectoryFilesAsync(source.RemoteDirectoryId!, cancellationToken);
        var listing = RemoteListing.Of(files);
        var (planned, plan) = await planner.PlanRemoteOnlyAsync(runId, source, listing, cancellationToken);
        var summary = new ScanSummary(listing.Files, plan.BatchId is null ? 0 : listing.Files, 0, 0, 0, 0, 0);
        await runs.FinishScanAsync(runId, summary, planned.BatchIds.Count, cancellationToken);
        HandOn(source.Name, planned);

        switch (plan.Skip)
        {
            case RemoteOnlySkip.Unchanged:
                logger.LogInformation(
                    "Run {RunId} of remote-only {Source}: directory {DirectoryId} holds the same {Files} files its batch {BatchId} completed with a job for each; nothing sent, nothing billed",
                    runId, source.Name, source.RemoteDirectoryId, listing.Files, plan.UnchangedSince);
                break;
            case RemoteOnlySkip.Cancelled:
                logger.LogInformation(
                    "Run {RunId} of remote-only {Source}: directory {DirectoryId} holds the same {Files} files as its batch {BatchId}, which an operator cancelled; nothing sent until its files change",
                    runId, source.Name, source.RemoteDirectoryId, listing.Files, plan.UnchangedSince);
                break;
            case RemoteOnlySkip.Empty:
                logger.LogInformation("Run {RunId} of remote-only {Source}: directory {DirectoryId} holds no file; nothing sent", runId, source.Name, source.RemoteDirectoryId);
                break;
            case RemoteOnlySkip.InFlight:
                logger.LogInformation("Run {RunId} of remote-only {Source}: a batch over {DirectoryId} is still open; nothing sent until it ends", runId, source.Name, source.RemoteDirectoryId);
                break;
            default:
                logger.LogInformation("Run {RunId} of remote-only {Source} planned batch {BatchId} over {DirectoryId} ({Files} files)", runId, source.Name, plan.BatchId, source.RemoteDirectoryId, listing.Files);
                break;
        }
    }

    /// <summary>Gives the planned batches to the step their lifecycle owes first: upload, or submit for a batch with nothing to send.</summary>
    private void HandOn(string source, PlannedBatches planned)
    {
        if (planned.FirstStep == BatchStep.Submit)
        {
            foreach (var batchId in planned.BatchIds)
            {
                scheduler.EnqueueSubmit(batchId);
            }

            return;
        }

        // Only as many as may upload at once get a job now: each batch that finishes uploading hands
        // its slot to the source's next planned batch (UploadSlots), so a run costs one upload job per
        // batch rather than two. Should a hand-on be lost, the stalled-step sweep starts the batch.
        foreach (var batchId in planned.BatchIds.Order().Take(pipeline.Value.BatchesUploadingPerSource))
        {
            scheduler.EnqueueUpload(source, batchId);
        }
    }
}

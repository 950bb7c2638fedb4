using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Sources;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Core.Runs;

/// <summary>
/// A run of one source: under the source's lease, scan, put new file versions into batches and
/// hand each batch to the upload step. Never two at once for one source, on any instance; a run
/// asked for meanwhile is remembered and happens right after.
/// </summary>
internal sealed class SourceRunner(
    IOptionsMonitor<SourcesOptions> sources,
    IOptions<PipelineOptions> pipeline,
    LeaseManager leases,
    SourceScanner scanner,
    IRunStore runs,
    IPipelineScheduler scheduler,
    ProjectScopes scopes,
    ILogger<SourceRunner> logger)
{
    public async Task RunAsync(string sourceName, RunTrigger trigger, CancellationToken cancellationToken)
    {
        var source = sources.CurrentValue.Find(sourceName);
        if (source is null)
        {
            logger.LogWarning("Source {Source} is no longer configured; run skipped", sourceName);
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
        var name = $"source:{sourceName}";
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
        var runId = await runs.StartRunAsync(source.Name, trigger, cancellationToken);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["Source"] = source.Name, ["RunId"] = runId });
        try
        {
            var plan = new BatchPlan(source.Name, source.JobType, source.ConfigurationId, pipeline.Value.MaxFilesPerBatch, source.MaxAttempts, scopes.For(source));
            if (source.Layout == RemoteLayout.RemoteOnly)
            {
                // Nothing local to scan: the directory is batched as it is (issue 4, remote-only sources).
                var remoteBatches = await runs.PlanRemoteOnlyBatchAsync(runId, plan, source.RemoteDirectoryId!, cancellationToken);
                await runs.FinishScanAsync(runId, new ScanSummary(0, 0, 0, 0, 0, 0, 0), remoteBatches.Count, cancellationToken);
                foreach (var batchId in remoteBatches)
                {
                    scheduler.EnqueueSubmit(batchId);
                }

                logger.LogInformation("Run {RunId} of remote-only {Source} planned {BatchCount} batches over {DirectoryId}", runId, source.Name, remoteBatches.Count, source.RemoteDirectoryId);
                return;
            }

            var summary = await scanner.ScanAsync(source, cancellationToken);
            var batchIds = source.Layout == RemoteLayout.Mirror
                // A mirror batches all of it on schedule or by hand; event-driven runs only when something changed.
                ? await runs.PlanMirrorBatchAsync(runId, plan, batchAll: trigger is RunTrigger.Schedule or RunTrigger.Manual, cancellationToken)
                : await runs.PlanBatchesAsync(runId, plan, cancellationToken);
            await runs.FinishScanAsync(runId, summary, batchIds.Count, cancellationToken);
            foreach (var batchId in batchIds)
            {
                scheduler.EnqueueUpload(source.Name, batchId);
            }

            if (summary.Unsettled > 0)
            {
                scheduler.ScheduleRun(source.Name, RunTrigger.Settle, source.SettleWindow);
            }

            logger.LogInformation("Run {RunId} of {Source} planned {BatchCount} batches", runId, source.Name, batchIds.Count);
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
}

using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Retries;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Batches;

/// <summary>
/// Keeps the upload and submit steps from retrying forever (docs/architecture.md decision 15): each run of
/// the step counts (a crash's too), a pause or a server's request to wait does not, and past
/// <c>Pipeline:MaxStepAttempts</c> the batch ends with its last error and its files go back to the queue
/// (or fail) instead of the step being handed out again. Hangfire's retries and the stalled-step sweep
/// keep coming; this is what makes them stop. Its writes that end or refund are fenced with the step's lease
/// (docs/reliability.md, "Fencing"): a holder stalled past its lease is refused them with <see cref="LeaseLostException"/>.
/// </summary>
internal sealed class StepAttempts(
    IBatchStore store,
    IOptions<PipelineOptions> pipeline,
    IOptionsMonitor<SourcesOptions> sources,
    RetryRuns retryRuns,
    IServingInstances instances,
    IPipelineScheduler scheduler,
    ILogger<StepAttempts> logger)
{
    /// <summary>How soon a step this instance cannot do for want of its source is offered again, to whichever instance takes it.</summary>
    public static TimeSpan HandBackAfter => HandBack.After;

    public int Max => pipeline.Value.MaxStepAttempts;

    /// <summary>Counts this run of the step and returns which run it is; null when the attempts are used up, and the batch was given up.</summary>
    public async Task<int?> BeginCountedAsync(long batchId, string source, BatchStep step, Lease fence, CancellationToken cancellationToken)
    {
        var attempt = await CountAsync(batchId, cancellationToken);
        if (!Exhausted(attempt))
        {
            return attempt;
        }

        await GiveUpAsync(batchId, source, new BatchAbandonment(UsedUp(step), FailureClass.Transient, BackToQueue: true), fence, cancellationToken);
        return null;
    }

    /// <summary>Counts this run of the step and returns the count (for a step that decides itself what to do once they are used up).</summary>
    public Task<int> CountAsync(long batchId, CancellationToken cancellationToken) => store.BeginStepAttemptAsync(batchId, cancellationToken);

    public bool Exhausted(int attempt) => attempt > Max;

    /// <summary>The reason a batch ends with when its step's attempts are used up.</summary>
    public string UsedUp(BatchStep step) => $"the {step.ToString().ToLowerInvariant()} step failed {Max} times; the batch was given up, its files queued again while their attempts allow";

    /// <summary>This run did no work the project could be blamed for (a pause, a wait LlamaCloud asked for): it does not count.</summary>
    public Task RefundAsync(long batchId, Lease fence, CancellationToken cancellationToken) => store.RefundStepAttemptAsync(batchId, fence, cancellationToken);

    /// <summary>
    /// The service's stop (or the job's deletion) cut this run short: no fault of the step, so it does not count, and a
    /// batch under way through a day of restarts is not given up for them. A failure to refund (the database is going
    /// too, or the lease was taken over) is only logged: the cancellation must still reach Hangfire, which hands the job back.
    /// </summary>
    public async Task StoppedAsync(long batchId, Lease fence)
    {
        try
        {
            await store.RefundStepAttemptAsync(batchId, fence, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogDebug("Could not take back the step attempt of batch {BatchId} cut short by a stop: {Reason}", batchId, ex.Message);
        }
    }

    /// <summary>Keeps the failure as the batch's last error; a failure to keep it (the database is out) is only logged.</summary>
    public async Task FailedAsync(long batchId, Exception failure)
    {
        if (failure is LlamaCloudRejectedException { ErrorClass: ApiErrorClass.Auth })
        {
            // Not a passing fault: nothing of this project gets through until a person fixes the key.
            logger.LogError("LlamaCloud refused the API key for batch {BatchId}: {Reason}; check LLAMA_CLOUD_API_KEY (or LlamaCloud:ApiKeyFile) and the source's project", batchId, failure.Message);
        }

        try
        {
            await store.RecordStepErrorAsync(batchId, failure.Message, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogDebug("Could not keep the last error of batch {BatchId}: {Reason}", batchId, ex.Message);
        }
    }

    /// <summary>
    /// LlamaCloud refused a request of the step for the batch as a whole (not for one file): retrying will not
    /// change its answer. The files fail with the refusal's class: an operator fixes the cause and retries.
    /// </summary>
    public Task RefusedAsync(long batchId, string source, string what, LlamaCloudRejectedException refusal, Lease fence, CancellationToken cancellationToken)
    {
        var errorClass = FailureClassifier.FromApi(refusal.ErrorClass);
        var fix = errorClass == FailureClass.Auth
            ? "check the API key and the source's project, then retry the failed files"
            : "fix the cause (the source's configuration, its project), then retry the failed files with --permanent";
        return GiveUpAsync(batchId, source, new BatchAbandonment($"LlamaCloud refused to {what}: {refusal.Message}; {fix}", errorClass, BackToQueue: false), fence, cancellationToken);
    }

    /// <summary>
    /// Ends a batch not yet sent whose source is no longer configured (taken out of Sources, or renamed without
    /// rename-source): nothing is sent or billed for a source nobody configures, and no retry would change that. Its
    /// files go back to the queue unchanged, for the source's next run once it is back (docs/operations.md, "A source
    /// removed while its batches are under way"). No run is asked for: one of a source not configured is skipped.
    /// While another instance is alive, which may be configured with the source (a deploy under way), the step is
    /// handed back to be taken up again instead (<see cref="SourceCheck.HandedBack"/>), as a schedule of a source this
    /// instance does not know is left in place (docs/deployment.md, "Several instances"), until the step's attempts are
    /// used up. Nothing done while the source is configured.
    /// </summary>
    public async Task<SourceCheck> EndIfSourceRemovedAsync(long batchId, string source, BatchStep step, Lease fence, CancellationToken cancellationToken)
    {
        if (sources.CurrentValue.Find(source) is not null)
        {
            return SourceCheck.Configured;
        }

        // Its batch was planned by an instance that knew the source: ended here, it would wait for the source's next scheduled
        // run although that instance could send it now. Each hand-back counts as a run of the step, so a source that no
        // instance knows any more (removed everywhere, several instances running) still ends its batches, after
        // Pipeline:MaxStepAttempts of them, a minute apart, rather than hand them round for good.
        if (await instances.CountAsync(cancellationToken) is var serving and > 1 && !Exhausted(await CountAsync(batchId, cancellationToken)))
        {
            if (step == BatchStep.Upload)
            {
                scheduler.ScheduleUpload(source, batchId, HandBackAfter);
            }
            else
            {
                scheduler.ScheduleSubmit(batchId, HandBackAfter);
            }

            logger.LogWarning(
                "Batch {BatchId} of {Source}: this instance is not configured with the source, and {Count} other instances are running and may be; "
                + "its {Step} step is handed back and offered again in {Delay}. Keep one Sources configuration on every instance: the batch ends, its files "
                + "queued again, once an instance without the source takes the step up alone",
                batchId, source, serving - 1, step.ToString().ToLowerInvariant(), HandBackAfter);
            return SourceCheck.HandedBack;
        }

        var how = new BatchAbandonment(
            $"source '{source}' is no longer configured: its batch was not sent; put it back, or use rename-source", FailureClass.Transient, BackToQueue: true, CountsAttempt: false);
        if (await store.GiveUpAsync(batchId, how, new RetryRule(new SourceOptions().MaxAttempts), fence, cancellationToken) is { } files)
        {
            logger.LogWarning(
                "Batch {BatchId} of {Source} was not sent: the source is no longer configured. Its {Count} files wait in the queue, their attempts not counted, "
                + "for a run of {Source} once it is configured again (put it back, or give its record to its new Name with rename-source)",
                batchId, source, files.Queued, source);
        }

        return SourceCheck.Ended;
    }

    public async Task GiveUpAsync(long batchId, string source, BatchAbandonment how, Lease fence, CancellationToken cancellationToken)
    {
        var retry = new RetryRule(sources.CurrentValue.Find(source)?.MaxAttempts ?? new SourceOptions().MaxAttempts);
        if (await store.GiveUpAsync(batchId, how, retry, fence, cancellationToken) is { } sentBack)
        {
            logger.LogError("Batch {BatchId} ended without reaching LlamaCloud: {Reason}", batchId, how.Reason);
            retryRuns.Follow(source, batchId, sentBack, how.Reason);
        }
    }
}

/// <summary>What <see cref="StepAttempts.EndIfSourceRemovedAsync"/> found: the step goes on only when its source is configured.</summary>
internal enum SourceCheck
{
    Configured,

    /// <summary>No instance may know the source: the batch ended, its files queued again.</summary>
    Ended,

    /// <summary>Another instance is alive and may know it: the step was scheduled again, the batch left as it was.</summary>
    HandedBack,
}

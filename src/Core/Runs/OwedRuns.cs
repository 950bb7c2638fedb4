using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Runs;

/// <summary>
/// Asks for the runs that were owed and never came. Files sent back to the queue (a batch or a job that failed in a way a
/// later batch may cure, an escalation to the fallback) get a run scheduled by whatever sent them back, files a scan found
/// still changing, or written to while it hashed them, get a Settle run, and files an operator approved past a cap,
/// reprocessed or retried get a run at once; each is asked for right after the state it follows is committed, in a second
/// write (Hangfire's). A process killed between the two (kill -9, the OOM killer, a power cut), or Hangfire's storage
/// refusing the second, left those files to the source's next scheduled run: a night away on a nightly schedule, never for a
/// source that is only watched. From the poll tick, at most once per <see cref="Every"/> per process, this looks for such
/// files in the database and asks for their run (docs/resilience.md, "Runs that were owed and never came").
/// </summary>
/// <remarks>
/// Owed means: files went back to the queue, or a run left files unsettled, longer ago than the delay of the run asked for
/// and as long again (at least <see cref="Margin"/> more: Hangfire's scheduler and a busy queue may hold a run back), or an
/// operator put files in the queue more than <see cref="Margin"/> ago, and no run of their source has started since, nor
/// waits behind one under way. So it asks at most once per sending back, however many instances look (the ask is recorded
/// on the source's row under its lock), and never again for files a run has had its chance at: a run that did not take
/// them (the source paused, its folder gone) is the place where that is said, not a run every minute. A rerun request is
/// owed too once no run holds the source's lease: its holder died without taking it (docs/resilience.md, "Runs that were
/// owed and never came").
/// </remarks>
internal sealed class OwedRuns(
    IRunStore runs,
    IPipelineScheduler scheduler,
    IOptions<PipelineOptions> pipeline,
    IOptionsMonitor<SourcesOptions> sources,
    TimeProvider time,
    ILogger<OwedRuns> logger)
{
    /// <summary>How often one process looks: the question reads the files sent back, so not at every tick of a busy service.</summary>
    public static readonly TimeSpan Every = TimeSpan.FromMinutes(1);

    /// <summary>The least time a run asked for is given beyond its delay before it counts as never come.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromMinutes(10);

    private long? lastLook; // a monotonic timestamp

    /// <summary>How long after files were left waiting for a run asked for <paramref name="delay"/> later it counts as owed.</summary>
    public static TimeSpan OwedAfter(TimeSpan delay) => delay + (delay > Margin ? delay : Margin);

    /// <summary>Looks, unless this process looked less than <see cref="Every"/> ago.</summary>
    public async Task CheckIfDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetTimestamp();
        if (lastLook is { } last && time.GetElapsedTime(last, now) < Every)
        {
            return;
        }

        lastLook = now;
        await CheckAsync(cancellationToken);
    }

    /// <summary>Asks for the run of each configured source owed one, and says why at Warning.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var configured = sources.CurrentValue.Sources
            .Select(s => new OwedRunSource(s.Name, s.MaxAttempts, OwedAfter(SettleRun.Latest(s.SettleWindow))))
            .ToList();
        if (configured.Count == 0)
        {
            return;
        }

        // Pipeline:RetryRunAfter 0 means the files sent back wait for the schedule, by the operator's choice: none is owed.
        var retryAfter = pipeline.Value.RetryRunAfter;
        // What an operator put in the queue asked for its run at once: given the margin, its run never came.
        var owed = await runs.AskOwedRunsAsync(configured, retryAfter > TimeSpan.Zero ? OwedAfter(retryAfter) : null, Margin, cancellationToken);
        foreach (var run in owed)
        {
            try
            {
                scheduler.EnqueueRun(run.Source, run.Trigger);
            }
            catch
            {
                // Recorded as asked for and not queued, it would never be asked for again: the next look asks (a rerun
                // request taken is put back, for the next look to find).
                if (run.Trigger == RunTrigger.Rerun)
                {
                    await runs.RequestRerunAsync(run.Source, CancellationToken.None);
                }

                await runs.ForgetOwedRunAskAsync(run.Source, CancellationToken.None);
                throw;
            }

            if (run.Trigger == RunTrigger.Rerun)
            {
                logger.LogWarning(
                    "A run of {Source} asked for at {Since:u} found another under way, and that one ended without starting it (the process running it most likely stopped); a run of {Source} is queued now",
                    run.Source, run.Since, run.Source);
            }
            else if (run.Trigger == RunTrigger.Settle)
            {
                logger.LogWarning(
                    "The last run of {Source} left {Count} files unsettled at {Since:u} and no run has looked at them since (the process most likely stopped before it asked for that look); a run of {Source} is queued now",
                    run.Source, run.Files, run.Since, run.Source);
            }
            else if (run.Trigger == RunTrigger.Manual)
            {
                logger.LogWarning(
                    "{Count} files of {Source} an operator put in the queue by {Since:u} (approved past a cap, reprocessed or retried) and no run has started since (the process "
                    + "most likely stopped, or Hangfire's storage refused the run, before it was queued); a run of {Source} is queued now",
                    run.Files, run.Source, run.Since, run.Source);
            }
            else
            {
                logger.LogWarning(
                    "{Count} files of {Source} went back to the queue by {Since:u} and no run has started since (the process that sent them back most likely stopped before it asked for one); a run of {Source} is queued now",
                    run.Files, run.Source, run.Since, run.Source);
            }
        }
    }
}

/// <summary>A configured source as <see cref="OwedRuns"/> asks about it: its attempts, and how long its unsettled files may wait for a look.</summary>
internal sealed record OwedRunSource(string Name, int MaxAttempts, TimeSpan UnsettledOwedAfter);

/// <summary>A run asked for by <see cref="OwedRuns"/>: for <paramref name="Files"/> files sent back (Retry) or left unsettled (Settle) by <paramref name="Since"/>.</summary>
internal sealed record OwedRun(string Source, RunTrigger Trigger, int Files, DateTimeOffset Since);

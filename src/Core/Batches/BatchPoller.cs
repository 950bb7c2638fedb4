using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Pipeline;

namespace BatchOrchestrator.Core.Batches;

/// <summary>
/// Polls the batches whose next poll is due, for the whole cluster (docs/architecture.md decision 4):
/// claim them (SKIP LOCKED, so instances share the work), poll them with bounded concurrency, write
/// every outcome in one statement, and hand the terminal ones to the record step. Two round trips
/// whatever the number of due batches.
/// </summary>
internal sealed class BatchPoller(
    IBatchStore store,
    Operations.IOperatorStore requests,
    RemoteBatches remote,
    IPipelineScheduler scheduler,
    ProjectPauses pauses,
    IOptions<PauseOptions> pauseOptions,
    IOptions<PollingOptions> options,
    TimeProvider time,
    ILogger<BatchPoller> logger)
{
    public async Task PollDueAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        // Short, because polling a batch twice is harmless (outcomes only move a batch forward), while an instance
        // that dies mid-tick leaves its batches unpolled until the claim lapses.
        var due = await store.ClaimDueAsync(settings.MaxBatchesPerTick, settings.ClaimTimeout, cancellationToken);
        if (due.Count == 0)
        {
            return;
        }

        var outcomes = new PollOutcome[due.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, due.Count),
            new ParallelOptions { MaxDegreeOfParallelism = settings.MaxConcurrency, CancellationToken = cancellationToken },
            async (i, ct) => outcomes[i] = await PollOneAsync(due[i], settings, ct));

        await store.SavePollOutcomesAsync(outcomes, cancellationToken);
        foreach (var outcome in outcomes.Where(o => o.State.IsTerminal()))
        {
            scheduler.EnqueueRecord(outcome.BatchId);
        }

        logger.LogDebug("Polled {Count} batches; {Terminal} reached a terminal status", due.Count, outcomes.Count(o => o.State.IsTerminal()));
    }

    private async Task<PollOutcome> PollOneAsync(DueBatch batch, PollingOptions settings, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();

        // A project whose circuit is open (seen here or by another instance) is still polled, for polls are
        // reads and batches go on running remotely, but slowly: a sick service is left alone.
        var slowest = await pauses.FindAsync(batch.Scope, fresh: false, cancellationToken) is { Reason: PauseReason.CircuitOpen }
            ? pauseOptions.Value.PollDelay
            : TimeSpan.Zero;
        try
        {
            var state = await remote.GetStateAsync(batch.Scope, batch.JobType, batch.RemoteBatchId, cancellationToken);
            if (state != batch.State)
            {
                logger.LogInformation("Batch {BatchId} ({RemoteBatchId}) is now {State}", batch.Id, batch.RemoteBatchId, state);
            }

            if (!state.IsTerminal() && batch.CancelUnsentSince is { } asked && now - asked >= CancelTakesEffectWithin)
            {
                await CancelAgainAsync(batch, state, now - asked, cancellationToken);
            }

            return new PollOutcome(batch.Id, state, Max(PollSchedule.NextDelay(settings, state, batch.PollCount + 1), slowest), null);
        }
        catch (LlamaCloudTransientException ex)
        {
            logger.LogWarning("Polling batch {BatchId} failed transiently: {Reason}", batch.Id, ex.Message);
            // A hint only ever lengthens the wait: a 429's "Retry-After: 1" (or 0, or a date gone by) once had every throttled
            // batch polled again at the next tick, each poll six tries, a storm against the service that was throttling us.
            var scheduled = Max(PollSchedule.NextDelay(settings, batch.State, batch.PollCount + 1), slowest);
            var wait = ex.RetryAfter is { } hint ? Max(hint, scheduled) : scheduled;
            return new PollOutcome(batch.Id, batch.State, wait, ex.Message);
        }
        catch (LlamaCloudRejectedException ex) when (ex.IsNotFound)
        {
            // 404 for a batch we created means it is gone (expired or deleted): nothing more will come. Its record step
            // ends it and says so to the operator in one Warning (docs/resilience.md, "A batch gone after submission").
            logger.LogInformation("Batch {BatchId} ({RemoteBatchId}) answers 404 to its poll: LlamaCloud no longer knows it; its record step ends it", batch.Id, batch.RemoteBatchId);
            return new PollOutcome(batch.Id, BatchLifecycle.LostEndsAs, settings.MaxDelay, ex.Message);
        }
        catch (LlamaCloudRejectedException ex)
        {
            logger.LogError("Polling batch {BatchId} was refused: {Reason}", batch.Id, ex.Message);
            return new PollOutcome(batch.Id, batch.State, settings.MaxDelay, ex.Message);
        }
    }

    /// <summary>
    /// An operator's cancel is recorded before it is sent, and the send can be lost: the process killed between the
    /// two, the dashboard's request cut off, the submit step's create answered after the cancel and the step killed
    /// before it sent it. The batch would then run to its end and bill every file the operator stopped. So a cancel asked
    /// for a minute ago that LlamaCloud never took is sent here, until it is taken (a batch it is cancelling still reports
    /// RUNNING, docs/llamacloud-api.md §2.5, so one taken is not sent again).
    /// </summary>
    private async Task CancelAgainAsync(DueBatch batch, BatchState state, TimeSpan since, CancellationToken cancellationToken)
    {
        try
        {
            var ended = await remote.CancelAsync(batch.Scope, batch.JobType, batch.RemoteBatchId, cancellationToken);
            if (ended is not null and not BatchState.Cancelled)
            {
                // Finished since this poll's look: the cancel changed nothing, as an operator's own request would find.
                await requests.WithdrawBatchCancelAsync(batch.Id, cancellationToken);
                return;
            }

            await store.MarkCancelSentAsync(batch.Id, cancellationToken);
            if (ended is null)
            {
                logger.LogWarning(
                    "Batch {BatchId} ({RemoteBatchId}) was still {State} at LlamaCloud {Since} after an operator cancelled it, the cancel never sent: sent it now",
                    batch.Id, batch.RemoteBatchId, state, since);
            }
        }
        catch (LlamaCloudException ex)
        {
            logger.LogWarning(
                "Batch {BatchId} ({RemoteBatchId}) is still {State} at LlamaCloud {Since} after an operator cancelled it, and sending the cancel failed ({Reason}); the next poll tries again",
                batch.Id, batch.RemoteBatchId, state, since, ex.Message);
        }
    }

    // Longer than an operator's own cancel takes to be sent (OperatorCommands sends it at once after recording it).
    private static readonly TimeSpan CancelTakesEffectWithin = TimeSpan.FromMinutes(1);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

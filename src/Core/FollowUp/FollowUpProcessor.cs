using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// The follow-up step for one batch: look at each of its waiting job references (bounded
/// concurrency, chunk by chunk), hand finished results to the source's sinks, record every outcome
/// in one write per chunk, and schedule the next look at the jobs still running. Per-file state lives
/// in our tables (docs/architecture.md decision 7); the job is per batch. The runs that take the files it sends again are
/// <see cref="GoAgainRuns"/>' to ask for. Safe to run twice: a lease keeps two
/// runs of one batch apart, and only references still Recorded are looked at.
/// </summary>
internal sealed class FollowUpProcessor(
    IFollowUpStore store,
    IJobStatuses jobStatuses,
    JobResults results,
    FollowUpDelivery delivery,
    IResultPathLocks pathLocks,
    FollowUpCosts costs,
    LateBills lateBills,
    IOptionsMonitor<SourcesOptions> sources,
    IOptions<FollowUpOptions> options,
    FollowUpThrottle throttle,
    LeaseManager leases,
    PauseGate pauses,
    GoAgainRuns goAgain,
    FollowUpHolds holds,
    FollowUpHandBack handBack,
    TimeProvider time,
    ILogger<FollowUpProcessor> logger)
{
    public async Task FollowUpAsync(long batchId, CancellationToken cancellationToken)
    {
        // A job that could not stay for its next look schedules it, then releases the lease a round trip later; a look due that
        // soon (a short RecheckDelay, LlamaCloud's Retry-After) is handed out meanwhile and finds the lease held. Put back then,
        // it would wait a lease's time to live (two minutes) for a holder that was leaving: so the lease is asked for again a while.
        await using var lease = await leases.TryHoldAsync(BatchLease.FollowUpName(batchId), options.Value.HeldLeaseWait, cancellationToken);
        if (lease is null)
        {
            // Its holder is at work (it schedules the next look when done), or was killed: then the lease lapses within its time to
            // live, and the next look must not wait for the dispatcher's longer claim. No look was made here, so none is counted.
            await store.PutBackAsync(batchId, time.GetUtcNow() + leases.TimeToLive, fence: null, cancellationToken);
            logger.LogInformation("Follow-up of batch {BatchId} is held by another worker; looking again in {Delay}", batchId, leases.TimeToLive);
            return;
        }

        cancellationToken = lease.Token;
        var fence = lease.Lease;
        var started = time.GetUtcNow();
        var holding = false;
        DateTimeOffset? owed = null; // the look this job has put a lease later, and so must make or put back
        try
        {
            while (await LookOnceAsync(batchId, fence, cancellationToken) is { } look)
            {
                var now = time.GetUtcNow();
                var stays = StaysFor(look, now - started);
                if (stays && !holding)
                {
                    stays = holding = holds.TryTake(); // a few per process: each keeps a Hangfire worker while it waits
                }

                if (!stays)
                {
                    await store.ScheduleNextAsync(batchId, now + look.Delay, fence, cancellationToken);
                    LogLook(batchId, look, "");
                    return;
                }

                // Jobs take seconds as often as hours: a next look due this soon is made in this job rather than in another handed out moments
                // later. The batch stands due a lease's time to live later too: no dispatcher hands it out meanwhile, one dying here is taken up.
                owed = now + look.Delay;
                await store.ScheduleNextAsync(batchId, owed.Value + leases.TimeToLive, fence, cancellationToken);
                LogLook(batchId, look, ", in this job");
                await Task.Delay(look.Delay, time, cancellationToken);
            }
        }
        catch (LeaseLostException lost)
        {
            // Taken over while this one was stalled past it: the looks, and their schedule, are the new holder's (docs/reliability.md).
            lost.Warn(logger, "follow-up", batchId);
        }
        catch (OperationCanceledException) when (owed is { } due)
        {
            // Stopping (or the lease lost) while waiting or looking: the look stands due when it was, not a lease later.
            await store.PutBackAsync(batchId, due, fence, CancellationToken.None);
            throw;
        }
        finally
        {
            if (holding)
            {
                holds.Release();
            }
        }
    }

    /// <summary>
    /// One look at the batch's waiting jobs; null when nothing waits any more or the project is paused (the
    /// next look then already scheduled). Otherwise the next look is the caller's to schedule.
    /// </summary>
    private async Task<Look?> LookOnceAsync(long batchId, Lease fence, CancellationToken cancellationToken)
    {
        var work = await store.GetPendingAsync(batchId, cancellationToken);
        if (work is null)
        {
            return null;
        }

        using var scope = Scoped(work.Source, batchId);
        if (await handBack.HandsBackAsync(work, fence, cancellationToken))
        {
            return null; // another instance may have the source, and the sinks its results are owed
        }

        if (await pauses.HoldsAsync(work.Scope, cancellationToken) is { } pause)
        {
            // The project is paused: look at nothing, count nothing (neither a failed attempt nor a look, so the
            // back-off is where it was once the pause lifts); come back when it may have lifted.
            var comeBack = pause.ComeBackIn(time.GetUtcNow());
            await store.PutBackAsync(batchId, time.GetUtcNow() + comeBack, fence, cancellationToken);
            logger.LogInformation("Project {Project} is paused ({Reason}); follow-up of batch {BatchId} looks again in {Delay}", pause.Project, pause.Reason.Label(), batchId, comeBack);
            return null;
        }

        var settings = options.Value;
        TimeSpan? deferredFor = null;
        var selected = delivery.SinksFor(work.Source);
        var tally = new Dictionary<FollowUpState, int>();
        var source = sources.CurrentValue.Find(work.Source);
        var fallback = string.IsNullOrWhiteSpace(source?.FallbackConfigurationId) ? null : source.FallbackConfigurationId;
        var copiesDelivered = 0;
        var sinkRefusals = 0; // the most attempts a refused result has now, for the wait before it is offered again
        var again = goAgain.Begin(work.Source, batchId, fallback, source?.MaxAttempts ?? new SourceOptions().MaxAttempts);
        var notDelivered = new FollowUpWarnings.NotDelivered(logger, batchId);

        // Every waiting job's status first, many per request; only the finished ones are then fetched. A reference here only
        // for its job's late bill is not looked at for a result: its bill is read below.
        var items = work.Items.Where(i => !i.BillOnly).ToList();
        var statuses = await jobStatuses.ReadAsync(work, items, cancellationToken);
        try
        {
            foreach (var chunk in items.Chunk(settings.ChunkSize))
            {
                var looks = new JobLook[chunk.Length];
                await Parallel.ForEachAsync(
                    Enumerable.Range(0, chunk.Length),
                    new ParallelOptions { MaxDegreeOfParallelism = settings.MaxConcurrency, CancellationToken = cancellationToken },
                    async (i, ct) =>
                    {
                        using (await throttle.AcquireAsync(ct))
                        {
                            looks[i] = await results.LookAsync(work, chunk[i], statuses.GetValueOrDefault(chunk[i].JobId), ct);
                        }
                    });

                // A result that sends its file to the fallback is not delivered, nor to its copies: the fallback's is (docs/costs.md).
                var delivered = looks.Where(l => !FollowUpCosts.Escalates(l, fallback)).ToArray();

                // A look made only for copies has no outcome of its own: its reference ended before, and its job was billed once.
                var own = looks.Where(l => !l.Item.CopiesOnly).ToArray();
                List<FollowUpOutcome> outcomes;

                // From the re-check of a newer result through the write to the save: another version's follow-up (here or on another
                // instance) in between could leave the older result over the newer one (IResultPathLocks).
                await using (await HoldPathsAsync(work.Source, delivered, cancellationToken))
                {
                    var written = await delivery.WriteAsync(selected, delivered, cancellationToken);
                    outcomes = own.Select(l => costs.Costed(LookOutcomes.Of(l, written.Errors.GetValueOrDefault(new Delivery(l.Item.ResultId, null)), settings.MaxAttempts, work.CancelRequested), l, work.BatchId, fallback)).ToList();
                    var copies = delivered.SelectMany(l => CopyDeliveries.Outcomes(l, written, settings.MaxAttempts)).ToList();
                    sinkRefusals = Math.Max(sinkRefusals, SinkRetries.Attempts(delivered, written, settings.MaxAttempts));
                    await store.SaveAsync(outcomes, copies, fence, cancellationToken);
                    copiesDelivered += copies.Count(c => c.State == FollowUpState.FollowedUp);
                }

                again.Saved(own, outcomes); // the chunk's files to go again are saved for good: their run is asked for now
                FollowUpWarnings.Partial(logger, own, outcomes);
                notDelivered.Add(own, outcomes);
                await costs.ReportAsync(work, own, outcomes, cancellationToken);
                foreach (var outcome in outcomes)
                {
                    tally[outcome.State] = tally.GetValueOrDefault(outcome.State) + 1;
                }

                if (looks.Where(l => l.Kind == LookKind.Deferred).Max(l => l.RetryAfter) is { } wait)
                {
                    // Paused, or asked to wait: the rest of the batch waits too, rather than meet the same answer.
                    deferredFor = wait;
                    break;
                }
            }
        }
        finally
        {
            again.Finish(); // refused or stopping too: a later chunk's escalations, saved, are owed a run all the same
            notDelivered.Finish();
        }

        if (deferredFor is null)
        {
            await lateBills.LookAsync(work, fence, cancellationToken);
        }

        return new Look(
            work.Source,
            tally.GetValueOrDefault(FollowUpState.FollowedUp),
            tally.GetValueOrDefault(FollowUpState.FollowUpFailed),
            tally.GetValueOrDefault(FollowUpState.Recorded),
            // Deferred (a paused project, a Retry-After) for less than a sink's wait, the refused results still wait for it.
            Max(deferredFor ?? RecheckDelay(settings, work.Checks), SinkRetries.Delay(settings, sinkRefusals)),
            deferredFor is not null,
            copiesDelivered);
    }

    /// <summary>The paths the chunk's finished results go to, theirs and their copies'; nothing held when none finished.</summary>
    private async Task<IAsyncDisposable> HoldPathsAsync(string source, JobLook[] looks, CancellationToken cancellationToken)
    {
        var paths = looks.Where(l => l.Document is not null).SelectMany(CopyDeliveries.Of).Select(d => d.Document.RelativePath).ToHashSet(StringComparer.Ordinal);
        return paths.Count == 0 ? NothingHeld.Instance : await pathLocks.HoldAsync(source, paths, cancellationToken);
    }

    /// <summary>
    /// Whether the next look is made in this job: jobs still run, LlamaCloud did not ask us to wait, the look is
    /// due within <see cref="FollowUpOptions.HoldFor"/>, and this job will not have stayed past <see cref="FollowUpOptions.HoldAtMost"/>.
    /// </summary>
    private bool StaysFor(Look look, TimeSpan stayed)
    {
        var settings = options.Value;
        return look is { Waiting: > 0, Deferred: false } && look.Delay <= settings.HoldFor && stayed + look.Delay <= settings.HoldAtMost;
    }

    private void LogLook(long batchId, Look look, string where)
    {
        using var scope = Scoped(look.Source, batchId); // after the look's own scope has ended
        // A file with the same content under another name gets its own copy of the result (docs/sources.md): counted
        // apart, since its job is another file's.
        if (look.Waiting == 0)
        {
            logger.LogInformation(
                "Follow-up of batch {BatchId}: {FollowedUp} results delivered, {CopiesDelivered} more to files with the same content, {Failed} without a result, none still waiting",
                batchId, look.FollowedUp, look.CopiesDelivered, look.Failed);
            return;
        }

        logger.LogInformation(
            "Follow-up of batch {BatchId}: {FollowedUp} results delivered, {CopiesDelivered} more to files with the same content, {Failed} without a result, {Waiting} still waiting (next look in {Delay}{Where})",
            batchId, look.FollowedUp, look.CopiesDelivered, look.Failed, look.Waiting, look.Delay, where);
    }

    private IDisposable? Scoped(string source, long batchId) =>
        logger.BeginScope(new Dictionary<string, object> { ["Source"] = source, ["BatchId"] = batchId });

    /// <summary>Soon after recording, then by half again per look, up to the cap: jobs take seconds to hours.</summary>
    public static TimeSpan RecheckDelay(FollowUpOptions settings, int checks)
    {
        var factor = Math.Pow(1.5, Math.Min(checks, 30));
        return TimeSpan.FromTicks((long)Math.Min(settings.RecheckDelay.Ticks * factor, settings.MaxRecheckDelay.Ticks));
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private sealed class NothingHeld : IAsyncDisposable
    {
        public static readonly NothingHeld Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>What one look found, and when the next is due.</summary>
    private readonly record struct Look(string Source, int FollowedUp, int Failed, int Waiting, TimeSpan Delay, bool Deferred, int CopiesDelivered);
}

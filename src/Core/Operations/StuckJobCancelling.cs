using System.Globalization;
using BatchOrchestrator.Core.FollowUp;
using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Core.Operations;

/// <summary>
/// An operator's way out of a job that never ends (docs/operations.md, "A job that never ends"): the batch's jobs that
/// the watchdog found still unfinished after <c>Watchdog:JobStuckAfter</c> are cancelled at LlamaCloud, and the
/// follow-up, made due now, reads them CANCELLED and sends their files again (as retries, within the source's
/// <c>MaxAttempts</c>), since the request is marked on each reference first. Without it the follow-up would look at such
/// a job for ever, and its file would never get a result. A job that ended meanwhile is left to the follow-up as it is.
/// v1 classifications are left out: we speak no cancel for a classifier job.
/// </summary>
internal sealed class StuckJobCancelling(
    IOperatorStore store, IBatchApis apis, IFollowUpStore followUps, TimeProvider time, ILogger<StuckJobCancelling> logger)
{
    /// <summary>Null when no such batch exists.</summary>
    public async Task<StuckJobsCancelled?> CancelAsync(long batchId, CancellationToken cancellationToken)
    {
        var stuck = await store.RequestStuckJobCancelsAsync(batchId, cancellationToken);
        if (stuck is null)
        {
            return null;
        }

        var api = apis.For(stuck.Scope);
        var cancelled = 0;
        var ended = 0;
        var failed = new List<string>();
        foreach (var job in stuck.Jobs)
        {
            try
            {
                if (job.JobType == BatchJobType.ExtractV2.ToApi())
                {
                    await api.CancelExtractJobAsync(job.JobId, cancellationToken);
                }
                else
                {
                    await api.CancelParseJobAsync(job.JobId, cancellationToken); // parse_v2, and v1 parse items, which run as parse jobs
                }

                cancelled++;
            }
            catch (LlamaCloudRejectedException ex) when (ex.IsNotFound)
            {
                ended++; // gone meanwhile: the follow-up records what it finds
            }
            catch (LlamaCloudRejectedException ex) when (ex.IsRefusal)
            {
                // A terminal job "cannot be cancelled", with a code no source names (400, 409 or 422, docs/llamacloud-api.md
                // §11.2), as for a batch (RemoteBatches.CancelAsync): a job found ended on a second look ended meanwhile.
                if (await HasEndedAsync(api, job, cancellationToken) is { } error)
                {
                    failed.Add($"{job.JobId}: {ex.Message}{error}");
                }
                else
                {
                    ended++;
                }
            }
            catch (LlamaCloudException ex)
            {
                failed.Add($"{job.JobId}: {ex.Message}");
            }
        }

        if (stuck.Jobs.Count > 0)
        {
            // Due now, and put back rather than counted as a look: none was made, so the back-off of its other jobs stays.
            await followUps.PutBackAsync(batchId, time.GetUtcNow(), fence: null, cancellationToken);
            logger.LogWarning(
                "Stuck jobs of batch {BatchId} ({Source}) cancelled at LlamaCloud by an operator: {Cancelled} cancelled, {Ended} had ended, {Failed} could not be cancelled; {Outcome}",
                batchId, stuck.Source, cancelled, ended, failed.Count,
                cancelled > 0 ? "the files of those cancelled are sent again" : "no file is sent again yet");
        }

        return new StuckJobsCancelled(stuck.Source, stuck.Jobs.Count, cancelled, ended, failed) { LeftOut = stuck.LeftOut };
    }

    /// <summary>Null when the job has ended; else what to add to its refusal (its status, or why it could not be read).</summary>
    private static async Task<string?> HasEndedAsync(IBatchApi api, StuckJob job, CancellationToken cancellationToken)
    {
        try
        {
            // None for a v1 classification, which is never asked to be cancelled (it has no job of its own).
            var status = (await JobStatuses.ReadOneAsync(api, job.JobType, job.JobId, cancellationToken))?.Status;
            return status?.ToUpperInvariant() is "COMPLETED" or "FAILED" or "CANCELLED" ? null : $" (it is {status ?? "a job with no status of its own"})";
        }
        catch (LlamaCloudException ex)
        {
            return $" (its status could not be read: {ex.Message})";
        }
    }

    /// <summary>What a cancel of stuck jobs did, in the words the verb and the dashboard answer with (failures aside).</summary>
    public static string Describe(long batchId, StuckJobsCancelled outcome) => outcome.Stuck == 0
        ? outcome.LeftOut > 0
            // Not "none stuck": the watchdog, Needs a person and 'status' said they were, and named this verb.
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"Batch {batchId}'s {outcome.LeftOut} stuck {(outcome.LeftOut == 1 ? "job is a v1_classify job" : "jobs are v1_classify jobs")}, which cannot be cancelled from here (we speak no cancel for a classifier job); nothing was cancelled, and the follow-up keeps looking.")
            : string.Create(CultureInfo.InvariantCulture, $"Batch {batchId} has no job that the watchdog found stuck (Watchdog:JobStuckAfter) and whose result is still awaited; nothing was cancelled.")
        : string.Create(
            CultureInfo.InvariantCulture,
            $"Batch {batchId}: {outcome.Cancelled} of {outcome.Stuck} stuck jobs cancelled at LlamaCloud, {outcome.Ended} had ended meanwhile. The follow-up looks now: the files of those cancelled are sent again by a retry run of {outcome.Source} (within its MaxAttempts; 'status' lists any left failed).");
}

/// <summary>A job reference whose job the watchdog found stuck, as its batch recorded it.</summary>
internal sealed record StuckJob(string JobType, string JobId);

/// <summary>The stuck jobs of one batch, marked as an operator's cancel, with where to reach them.</summary>
internal sealed record StuckJobs(string Source, ProjectScope Scope, IReadOnlyList<StuckJob> Jobs)
{
    /// <summary>Stuck jobs not marked, as no cancel reaches them: v1 classifications.</summary>
    public int LeftOut { get; init; }
}

/// <summary>What <see cref="StuckJobCancelling"/> did: of <paramref name="Stuck"/> jobs, those cancelled, those ended meanwhile, those it could not reach.</summary>
internal sealed record StuckJobsCancelled(string Source, int Stuck, int Cancelled, int Ended, IReadOnlyList<string> Failed)
{
    /// <summary>Stuck jobs left alone, as no cancel reaches them (<see cref="StuckJobs.LeftOut"/>).</summary>
    public int LeftOut { get; init; }
}

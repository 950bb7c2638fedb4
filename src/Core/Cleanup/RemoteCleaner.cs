using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Cleanup;

/// <summary>
/// Remote hygiene, one run (a recurring job, never one per file; docs/architecture.md decision 17):
/// list what has become deletable, claim what is due, and delete it one request at a time on the
/// project's spare upload turns, so uploads are never held back. Crash-safe and idempotent: a claim not
/// saved is claimed again later, and a delete of something already gone (404) counts as done.
/// </summary>
internal sealed class RemoteCleaner(
    IRemoteCleanupStore store,
    IBatchApis apis,
    UploadPaces paces,
    IOptionsMonitor<SourcesOptions> sources,
    IOptions<RemoteCleanupOptions> options,
    TimeProvider time,
    ILogger<RemoteCleaner> logger)
{
    /// <summary>
    /// Job types whose jobs can be deleted: parse and extract (v1 parse items run as v2 parse jobs). A v1
    /// classification's classifier job has no delete in any SDK, so it is left to LlamaCloud's own expiry.
    /// </summary>
    public static readonly string[] DeletableJobTypes = ["parse_v2", "extract_v2", BatchJobTypes.V1Parse];

    private const int ListChunk = 5_000;
    private const int ClaimChunk = 200;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromDays(1);

    /// <summary>The sources whose artefacts are deleted, with their retention; empty when hygiene is off everywhere.</summary>
    public IReadOnlyList<SourceRetention> Retentions()
    {
        Retention.TryParse(options.Value.Retention, Retention.Off, out var global);
        var list = new List<SourceRetention>();
        foreach (var source in sources.CurrentValue.Sources)
        {
            if (Retention.TryParse(source.RemoteRetention, global, out var retention) && retention.After is { } after)
            {
                list.Add(new SourceRetention(source.Name, after));
            }
        }

        return list;
    }

    public async Task<CleanupSummary> RunAsync(CancellationToken cancellationToken)
    {
        var retentions = Retentions();
        var summary = new CleanupSummary();
        if (retentions.Count == 0)
        {
            return summary;
        }

        var settings = options.Value;
        var deadline = time.GetUtcNow() + settings.MaxRunTime;
        var budget = settings.MaxDeletesPerRun;
        while (budget > 0 && time.GetUtcNow() < deadline)
        {
            while (await store.ListAsync(retentions, ListChunk, cancellationToken) == ListChunk)
            {
            }

            var due = await store.ClaimDueAsync(retentions, Math.Min(budget, ClaimChunk), settings.MaxRunTime, cancellationToken);
            if (due.Count == 0)
            {
                break;
            }

            var outcomes = new List<ArtefactOutcome>(due.Count);
            var stop = false;
            try
            {
                foreach (var artefact in due)
                {
                    if (stop || !await WaitTurnAsync(artefact.Scope, deadline, cancellationToken))
                    {
                        stop = true;
                        outcomes.Add(GivenBack(artefact)); // for the next run
                        continue;
                    }

                    var outcome = await DeleteAsync(artefact, cancellationToken);
                    stop = outcome.Attempted is false;
                    outcomes.Add(outcome);
                    summary.Count(outcome);
                    budget--;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The service is stopping: what was deleted is saved, and the rest of the claim given back now rather
                // than when the claim expires (after RemoteCleanup:MaxRunTime), so another instance can go on at once.
                outcomes.AddRange(due.Skip(outcomes.Count).Select(GivenBack));
                await store.SaveAsync(outcomes, CancellationToken.None);
                Log(summary, stopped: true);
                throw;
            }

            await store.SaveAsync(outcomes, cancellationToken);
            if (stop)
            {
                break;
            }
        }

        Log(summary, stopped: false);
        return summary;
    }

    private static ArtefactOutcome GivenBack(RemoteArtefact artefact) => new(artefact.Id, false, false, Attempted: false, null, null);

    private void Log(CleanupSummary summary, bool stopped)
    {
        if (summary.Attempts > 0)
        {
            logger.LogInformation(
                "Remote cleanup{Stopped}: {Deleted} artefacts deleted, {Gone} already gone, {Failed} not deleted (tried again later)",
                stopped ? " stopped with the service" : "", summary.Deleted, summary.Gone, summary.Failed);
        }
    }

    /// <summary>Waits for a spare turn of the project's upload pace; false when none comes before the run's deadline.</summary>
    private async Task<bool> WaitTurnAsync(ProjectScope scope, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var pace = paces.For(scope);
        while (!pace.TryTakeSpare())
        {
            var wait = pace.PausedFor > pace.Interval ? pace.PausedFor : pace.Interval;
            if (time.GetUtcNow() + wait >= deadline)
            {
                return false;
            }

            await Task.Delay(wait, time, cancellationToken);
        }

        return true;
    }

    private async Task<ArtefactOutcome> DeleteAsync(RemoteArtefact artefact, CancellationToken cancellationToken)
    {
        var api = apis.For(artefact.Scope);
        try
        {
            var deleted = artefact.Kind switch
            {
                RemoteArtefactKind.Job when artefact.ParentId == "extract_v2" => await api.DeleteExtractJobAsync(artefact.RemoteId, cancellationToken),
                RemoteArtefactKind.Job => await api.DeleteParseJobAsync(artefact.RemoteId, cancellationToken),
                RemoteArtefactKind.DirectoryFile => await DeleteDirectoryFileAsync(api, artefact, cancellationToken),
                RemoteArtefactKind.StoredFile => await api.DeleteStoredFileAsync(artefact.RemoteId, cancellationToken),
                RemoteArtefactKind.Directory => await api.DeleteDirectoryAsync(artefact.RemoteId, cancellationToken),
                _ => throw new ArgumentOutOfRangeException(nameof(artefact), artefact.Kind, null),
            };
            return new ArtefactOutcome(artefact.Id, Done: true, FoundGone: !deleted, Attempted: true, null, null);
        }
        catch (LlamaCloudTransientException ex) when (ex is { Deferred: true, RetryAfter: { } wait, OpenedTheCircuit: false })
        {
            // The project is at its limit: hold its uploads as the hint says and stop this run; nothing is lost. Not when
            // this delete's own failures opened the circuit: a delete LlamaCloud always fails (a 5xx for that job alone)
            // was handed back uncounted, first in line again, and paused the whole project at every run for good. It
            // counts below, as a look whose read opens the circuit does (docs/resilience.md), and waits its backoff.
            paces.For(artefact.Scope).OnThrottled(wait);
            logger.LogWarning("Remote cleanup stops for now: LlamaCloud asked project {Project} to wait {Wait}", artefact.Scope.Key, wait);
            return new ArtefactOutcome(artefact.Id, false, false, Attempted: false, null, null);
        }
        catch (LlamaCloudException ex)
        {
            var backoff = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(1).Ticks << Math.Min(artefact.Attempts, 20), MaxBackoff.Ticks));
            logger.LogWarning("Deleting {Kind} {RemoteId} failed (attempt {Attempt}); trying again in {Backoff}: {Reason}", artefact.Kind, artefact.RemoteId, artefact.Attempts + 1, backoff, ex.Message);
            return new ArtefactOutcome(artefact.Id, false, false, Attempted: true, ex.Message, time.GetUtcNow() + backoff);
        }
    }

    /// <summary>A directory file whose stored file the upload answer did not name: read it first, so the stored file is not orphaned.</summary>
    private async Task<bool> DeleteDirectoryFileAsync(IBatchApi api, RemoteArtefact artefact, CancellationToken cancellationToken)
    {
        var directoryId = artefact.ParentId ?? throw new InvalidOperationException($"Directory file {artefact.RemoteId} has no directory");
        if (artefact.LookupStoredFile)
        {
            try
            {
                if ((await api.GetDirectoryFileAsync(directoryId, artefact.RemoteId, cancellationToken)).FileId is { } storedFileId)
                {
                    await store.AddStoredFileAsync(artefact.Id, storedFileId, cancellationToken);
                }
            }
            catch (LlamaCloudRejectedException ex) when (ex.IsNotFound)
            {
                return false;
            }
        }

        return await api.DeleteDirectoryFileAsync(directoryId, artefact.RemoteId, cancellationToken);
    }
}

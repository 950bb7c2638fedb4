namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// The project pauses in force, for every instance: the shared table (read at most every
/// <see cref="PauseOptions.CacheFor"/>) and this process's open circuits. Starting or ending a pause
/// writes the table; a failure to write is logged, never thrown, since the callers are in the middle of
/// an HTTP request or of handling one's failure.
/// </summary>
internal sealed class ProjectPauses(
    IProjectPauseStore store, ProjectCircuits circuits, IOptions<PauseOptions> options, IOptions<CircuitBreakerOptions> breaker, TimeProvider time, ILogger<ProjectPauses> logger)
    : IDisposable
{
    private readonly SemaphoreSlim reading = new(1, 1);
    private volatile Snapshot? cached;

    // Kept apart from the cache: a write forgets the cache so the next look reads the table, but the gauges
    // must not read "no pause" in the meantime (a probe that finds the project still down would otherwise
    // drop the paused gauge to 0 until the next refresh, and an alert waiting minutes on it would never fire).
    private volatile IReadOnlyList<ProjectPause> lastRead = [];

    /// <summary>The pause holding the project back (the one probed soonest when there are several), or null.</summary>
    public async Task<ProjectPause?> FindAsync(ProjectScope scope, bool fresh, CancellationToken cancellationToken)
    {
        var stored = (await ListAsync(fresh, cancellationToken)).Where(p => p.Project == scope.Key);
        return stored.Append(circuits.Local(scope.Key)).OfType<ProjectPause>().OrderBy(p => p.NextProbeAt).FirstOrDefault();
    }

    /// <summary>Every stored pause; <paramref name="fresh"/> reads the table now rather than trusting the last read.</summary>
    public async Task<IReadOnlyList<ProjectPause>> ListAsync(bool fresh, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!fresh && cached is { } last && now - last.At < options.Value.CacheFor)
        {
            return last.Pauses;
        }

        await reading.WaitAsync(cancellationToken);
        try
        {
            if (!fresh && cached is { } other && now - other.At < options.Value.CacheFor)
            {
                return other.Pauses; // read by the caller we waited for
            }

            var pauses = await store.ListAsync(cancellationToken);
            cached = new Snapshot(pauses, time.GetUtcNow());
            lastRead = pauses;
            return pauses;
        }
        finally
        {
            reading.Release();
        }
    }

    /// <summary>
    /// The pauses of the last read of the table, without reading (for gauges); empty before the first read.
    /// A pause ended here still shows until the next read (at most the gauges' refresh interval).
    /// </summary>
    public IReadOnlyList<ProjectPause> LastRead => lastRead;

    public async Task PauseAsync(ProjectScope scope, PauseReason reason, DateTimeOffset nextProbeAt, string? error)
    {
        try
        {
            var started = await store.PauseAsync(scope, reason, nextProbeAt, error, CancellationToken.None);
            cached = null; // this instance honours it from its next look on
            logger.Log(
                started ? LogLevel.Warning : LogLevel.Debug,
                "LlamaCloud project {Project} is paused ({Reason}): {Explanation}. Last error: {Error}. Next probe at {NextProbe:u}",
                scope.Key, reason.Label(), reason.Explain(), error, nextProbeAt);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The database is out too, or shutting down: this instance still holds back (its circuit, its
            // deferred steps); other instances see the cause themselves.
            logger.LogWarning("Could not record the pause of LlamaCloud project {Project} ({Reason}): {Failure}", scope.Key, reason.Label(), ex.Message);
        }
    }

    public async Task ResumeAsync(string project, PauseReason reason, string why)
    {
        try
        {
            if (await store.ResumeAsync(project, reason, CancellationToken.None))
            {
                logger.LogInformation("LlamaCloud project {Project} is no longer paused ({Reason}): {Why}", project, reason.Label(), why);
            }

            cached = null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogWarning("Could not record the end of the pause of LlamaCloud project {Project} ({Reason}): {Failure}; the next probe ends it", project, reason.Label(), ex.Message);
        }
    }

    /// <summary>LlamaCloud refused the project credits or quota: pause it until the next probe, and return the wait.</summary>
    public async Task<TimeSpan> RefusedAsync(ProjectScope scope, PauseReason reason, string error)
    {
        var wait = options.Value.CreditProbeInterval;
        await PauseAsync(scope, reason, time.GetUtcNow() + wait, error);
        return wait;
    }

    /// <summary>Whether the project's circuit is open in this process now.</summary>
    public bool CircuitOpen(ProjectScope scope) => circuits.Local(scope.Key) is not null;

    /// <summary>Whether <paramref name="request"/> opened the project's circuit again after the service answered another (<see cref="ProjectCircuits.OpenedAgainBy"/>).</summary>
    public bool OpenedAgainBy(ProjectScope scope, HttpRequestMessage request) => circuits.OpenedAgainBy(scope.Key, ProjectCircuits.RequestKey(request));

    /// <summary>How long the project's open circuit stays open here (its break duration when not known).</summary>
    public TimeSpan CircuitWait(ProjectScope scope)
    {
        var left = circuits.Local(scope.Key) is { } open ? open.NextProbeAt - time.GetUtcNow() : breaker.Value.BreakDuration;
        return left > TimeSpan.Zero ? left : breaker.Value.BreakDuration;
    }

    /// <summary>Takes the pause's due probe for this instance, pushing the next one out; false when not due or taken by another.</summary>
    public async Task<bool> ClaimProbeAsync(ProjectPause pause, DateTimeOffset nextProbeAt, CancellationToken cancellationToken)
    {
        var claimed = await store.ClaimProbeAsync(pause.Project, pause.Reason, nextProbeAt, cancellationToken);
        cached = null;
        return claimed;
    }

    public void Dispose() => reading.Dispose();

    private sealed record Snapshot(IReadOnlyList<ProjectPause> Pauses, DateTimeOffset At);
}

using System.Collections.Concurrent;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// This process's view of each project's circuit breaker (Polly's, in <see cref="LlamaCloudPipeline"/>): while
/// it is open, since when, until when and why. The steps read it beside the shared pauses table, so the
/// instance that saw the failures holds back at once, even if the table cannot be written.
/// <para>
/// Kept from the breaker's own opened and closed callbacks, not from a <c>CircuitBreakerStateProvider</c>:
/// the registry may build a project's pipeline twice when its first requests arrive together and keep only one,
/// so a provider handed to each build could belong to the one thrown away, which never opens (and which Polly
/// 8.9 disposes, so that reading it throws). Only the pipeline in use ever calls back.
/// </para>
/// </summary>
internal sealed class ProjectCircuits(TimeProvider time)
{
    // Openings further apart than this are two events, not one request failing again after the pause it caused (a pause
    // lasts a break and a probe: a minute or so).
    private static readonly TimeSpan AgainWithin = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<string, Circuit> circuits = new(StringComparer.Ordinal);

    /// <summary>
    /// The circuit of <paramref name="project"/>'s pipeline opened (again), by a failure of request <paramref name="openedBy"/>
    /// (its method and path, job id and all): returns when it may half-open.
    /// </summary>
    public DateTimeOffset Opened(string project, ProjectScope scope, TimeSpan breakDuration, string error, string? openedBy = null)
    {
        var circuit = circuits.GetOrAdd(project, _ => new Circuit());
        var now = time.GetUtcNow();
        lock (circuit)
        {
            circuit.Scope = scope;
            circuit.Since ??= now;
            circuit.OpenUntil = now + breakDuration;
            circuit.Error = error;
            // Again by the same request, after the circuit had closed (the service answered another, such as the pause's
            // probe) and not long after: an outage keeps the circuit open between its openings, its probes failing too.
            circuit.OpenedAgainBySame = openedBy is not null && openedBy == circuit.OpenedBy
                && circuit.ClosedSinceOpened && now - circuit.OpenedAt < AgainWithin;
            circuit.OpenedBy = openedBy;
            circuit.OpenedAt = now;
            circuit.ClosedSinceOpened = false;
            return circuit.OpenUntil;
        }
    }

    /// <summary>
    /// Whether the project's last two openings were both by request <paramref name="request"/>, with the circuit closed
    /// between them by an answer to another: the mark of one request that fails alone whenever it is sent (a result a
    /// gateway cannot serve), not of an outage, which answers nothing until it is over. Such a request is its own step's
    /// failure, not only a pause to wait out.
    /// </summary>
    public bool OpenedAgainBy(string project, string request)
    {
        if (!circuits.TryGetValue(project, out var circuit))
        {
            return false;
        }

        lock (circuit)
        {
            return circuit.OpenedAgainBySame && circuit.OpenedBy == request;
        }
    }

    /// <summary>What tells one request from another here: its method and its path with the query.</summary>
    public static string RequestKey(HttpRequestMessage request) => $"{request.Method} {request.RequestUri?.PathAndQuery}";

    public void Closed(string project)
    {
        if (circuits.TryGetValue(project, out var circuit))
        {
            lock (circuit)
            {
                circuit.Since = null;
                circuit.ClosedSinceOpened = true;
            }
        }
    }

    /// <summary>The project's circuit as a pause while it is open here (not once its break is over: its next request is the trial).</summary>
    public ProjectPause? Local(string project)
    {
        if (!circuits.TryGetValue(project, out var circuit))
        {
            return null;
        }

        lock (circuit)
        {
            // Past its break the breaker lets the next request through as its trial: no longer a pause here.
            return circuit.Since is { } since && circuit.OpenUntil > time.GetUtcNow()
                ? new ProjectPause(circuit.Scope, PauseReason.CircuitOpen, since, circuit.OpenUntil, circuit.Error)
                : null;
        }
    }

    private sealed class Circuit
    {
        public ProjectScope Scope { get; set; }

        public DateTimeOffset? Since { get; set; }

        public DateTimeOffset OpenUntil { get; set; }

        public string? Error { get; set; }

        public string? OpenedBy { get; set; }

        public bool OpenedAgainBySame { get; set; }

        public DateTimeOffset OpenedAt { get; set; }

        public bool ClosedSinceOpened { get; set; }
    }
}

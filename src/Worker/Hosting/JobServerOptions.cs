using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Worker.Hosting;

/// <summary>This instance's Hangfire server ("Hangfire:Server" section).</summary>
public sealed class JobServerOptions
{
    /// <summary>Jobs run at once on this instance.</summary>
    public int WorkerCount { get; set; } = 10;

    /// <summary>
    /// How often scheduled jobs (settle runs, retries) and recurring ones are looked for: how late one may
    /// start, at most. Each look takes and releases a lock row (docs/performance.md). Hangfire's default is 15 s;
    /// source schedules with a seconds field need it shorter than their period.
    /// </summary>
    public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time running jobs get to stop at shutdown before they are put back in the queue.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Queues this instance serves, in priority order; empty means <c>default</c> only. Add a source's
    /// <c>Queue</c> on the nodes that can see its folder. (Empty rather than ["default"] by default:
    /// the configuration binder appends to a list's initial items instead of replacing them.) Read
    /// through Core's <see cref="ServedQueues"/>, which every part of the service asks.
    /// </summary>
    public List<string> Queues { get; set; } = [];
}

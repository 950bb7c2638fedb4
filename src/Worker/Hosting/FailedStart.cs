namespace BatchOrchestrator.Worker.Hosting;

/// <summary>
/// Marked when the host's start fails, before the host is stopped (VerbHost). That stop is nobody's request, yet
/// the host's lifetime says "Application is shutting down..." as for any stop, and says it before WorkerCommand
/// logs what failed: read first, it passes for the cause. From the mark on, WorkerLogging leaves the lifetime's
/// lines out, so the failure is the first thing the log says of the stop.
/// </summary>
internal sealed class FailedStart
{
    /// <summary>The category the host's lifetime (ConsoleLifetime, systemd's) logs its start and stop lines under.</summary>
    public const string LifetimeCategory = "Microsoft.Hosting.Lifetime";

    private volatile bool marked;

    public bool Marked => marked;

    public void Mark() => marked = true;
}

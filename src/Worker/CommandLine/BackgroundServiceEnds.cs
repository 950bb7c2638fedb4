namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>
/// Whether the background services ended as a clean stop ends them, for the service's exit code: the host stops
/// when one throws, yet its run returns normally, so a supervisor restarting on failure (systemd) would leave the
/// service down unless the exit code says so.
/// </summary>
internal sealed class BackgroundServiceEnds : IDisposable
{
    private readonly List<BackgroundService> services;
    private readonly CancellationTokenRegistration stopping;
    private volatile bool cancelledBeforeStop;

    private BackgroundServiceEnds(IServiceProvider provider, IHostApplicationLifetime lifetime)
    {
        services = provider.GetServices<IHostedService>().OfType<BackgroundService>().ToList();
        // Looked at as the stop begins, before the host cancels the services. Callbacks run latest-registered first,
        // though, and the host's start links every service's token to the stop until the start is over (a stop asked
        // at once finds some still starting), as may a service itself: such a service may already have ended
        // cancelled when this runs, so this look alone does not tell (EndedByTheStop does).
        stopping = lifetime.ApplicationStopping.Register(() => cancelledBeforeStop = services.Any(s => s.ExecuteTask is { IsCanceled: true } task && !EndedByTheStop(task)));
    }

    public static BackgroundServiceEnds Watch(IServiceProvider provider, IHostApplicationLifetime lifetime) => new(provider, lifetime);

    /// <summary>
    /// A service that ended faulted, or cancelled before anyone asked the host to stop (an OperationCanceledException
    /// nobody asked for: an HTTP timeout), is what stopped the host: 1. One the stop itself cancelled is not: 0.
    /// </summary>
    public int ExitCode() => cancelledBeforeStop || services.Any(s => s.ExecuteTask is { IsFaulted: true }) ? 1 : 0;

    public void Dispose() => stopping.Dispose();

    // Cancelled through a token that was cancelled, and not by a timeout (HttpClient's carries a TimeoutException,
    // and its token is cancelled too): the cancellation came from a stop. A bare OperationCanceledException, a
    // timeout's, did not. A service cancelled by a deadline of its own (CancelAfter, no TimeoutException) would read as
    // stopped: none lets one escape (each catches its own cancellations), and the host itself stops on such an end
    // before any look here could tell the two apart.
    private static bool EndedByTheStop(Task task)
    {
        try
        {
            task.GetAwaiter().GetResult(); // a cancelled task throws the cancellation it ended with
            return false;
        }
        catch (OperationCanceledException ex)
        {
            return ex.CancellationToken.IsCancellationRequested && !IsTimeout(ex);
        }
    }

    private static bool IsTimeout(Exception ex) => ex is TimeoutException || (ex.InnerException is { } inner && IsTimeout(inner));
}

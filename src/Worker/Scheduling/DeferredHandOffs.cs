using System.Threading.Channels;
using BatchOrchestrator.Worker.Jobs;

namespace BatchOrchestrator.Worker.Scheduling;

/// <summary>
/// Hands a batch to its next step again while the database is unreachable. A step records its outcome, then asks
/// for the next step's job; should the database go away between the two, the outcome is committed and the job is not.
/// The stalled-step sweep would find the batch, but only after <c>Polling:StalledAfter</c> (10 minutes), and the
/// service should resume within about a minute of the database (docs/reliability.md, "Hand-offs across an outage").
/// Here such a hand-off is retried, in order, every few seconds until Hangfire takes it. It lives in this process's
/// memory: should the process end first, the sweep remains the way back, as before, and the stop says so.
/// Accepts hand-offs only while the service runs it; a command-line verb, which ends at once, gets the failure.
/// </summary>
internal sealed class DeferredHandOffs(TimeProvider time, ILogger<DeferredHandOffs> logger) : BackgroundService
{
    /// <summary>The wait after the failure that kept the first hand-off; each failed try after it doubles it, up to <see cref="LongestDelay"/>.</summary>
    public static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two tries: the delay at which a job that failed on the outage is retried, too.</summary>
    public static readonly TimeSpan LongestDelay = DatabaseOutageRetryFilter.Delay;

    // Not SingleReader: that one cannot count what it holds. Completed at the stop: a hand-off offered after it fails.
    private readonly Channel<HandOff> pending = Channel.CreateUnbounded<HandOff>();
    private volatile bool started;

    /// <summary>Hand-offs kept and not yet made.</summary>
    public int Pending => pending.Reader.Count;

    /// <summary>
    /// Keeps <paramref name="create"/> behind the hand-offs kept before it, without trying it, while there are any: the
    /// database did not answer them, and each try of a host that does not answer costs a connect timeout. False when
    /// none is kept, or this service does not run: the caller tries it now.
    /// </summary>
    public bool TryQueueBehind(string what, Action create) =>
        started && pending.Reader.Count > 0 && pending.Writer.TryWrite(new HandOff(what, create));

    /// <summary>
    /// Keeps <paramref name="create"/> to make once the database answers again, when <paramref name="failure"/> says it
    /// did not, and this service runs. False otherwise: the caller's failure stands.
    /// </summary>
    public bool TryDefer(string what, Action create, Exception failure)
    {
        if (!started || !DatabaseOutageRetryFilter.IsDatabaseOutage(failure) || !pending.Writer.TryWrite(new HandOff(what, create)))
        {
            return false;
        }

        logger.LogWarning(
            "Could not hand {What:l} on: the database is unreachable ({Reason}). The outcome before it is saved; the hand-off is tried again every few seconds until the database answers",
            what, failure.GetBaseException().Message);
        return true;
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        started = true;
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        pending.Writer.TryComplete(); // what comes now would be kept past the loop's end: the caller's failure stands instead
        await base.StopAsync(cancellationToken);

        // Said here, not at the loop's end: a stop that comes before the loop has begun (it starts on the thread pool)
        // cancels it unrun.
        if (pending.Reader.TryPeek(out var first))
        {
            logger.LogWarning(
                "The service stops with {Count} hand-offs not made, the first {What:l}: the stalled-step sweep of a running instance hands those batches out after Polling:StalledAfter",
                pending.Reader.Count, first.What);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await pending.Reader.WaitToReadAsync(stoppingToken))
            {
                await MakeKeptAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // the service is stopping: an ordinary end (the exit code reads a cancelled service as a failure)
        }
        finally
        {
            pending.Writer.TryComplete();
        }
    }

    /// <summary>
    /// Makes the kept hand-offs in order: the first after <see cref="FirstDelay"/> (it has just failed), each next one at
    /// once after a success, and after a failed try a doubled wait. A try is Hangfire's synchronous creation, which does
    /// not hear the stop: a stop during an outage may wait for one connect timeout.
    /// </summary>
    private async Task MakeKeptAsync(CancellationToken stoppingToken)
    {
        var delay = FirstDelay;
        var tries = 0;
        while (pending.Reader.TryPeek(out var next)) // read only once made: should the stop come first, its count includes this one
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, time, stoppingToken);
            }

            tries++;
            try
            {
                next.Create();
                delay = TimeSpan.Zero;
            }
            catch (Exception ex) when (DatabaseOutageRetryFilter.IsDatabaseOutage(ex))
            {
                delay = TimeSpan.FromTicks(Math.Clamp(delay.Ticks * 2, FirstDelay.Ticks, LongestDelay.Ticks));
                continue;
            }
            catch (Exception ex)
            {
                // Not the outage: what the first try would have thrown. The sweep is the way back for this one.
                logger.LogError(ex, "Could not hand {What:l} on; the stalled-step sweep hands the batch out after Polling:StalledAfter", next.What);
                delay = TimeSpan.Zero;
            }

            pending.Reader.TryRead(out _);
            if (pending.Reader.Count == 0)
            {
                logger.LogInformation("Every kept hand-off is made, the last {What:l}, after {Tries} tries", next.What, tries);
            }
        }
    }

    private sealed record HandOff(string What, Action Create);
}

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
    /// <summary>The first retry's delay; each next one doubles, up to <see cref="DatabaseOutageRetryFilter.Delay"/>, as a failed job's retry.</summary>
    public static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);

    private readonly Channel<HandOff> pending = Channel.CreateUnbounded<HandOff>(); // not SingleReader: that one cannot count what it holds
    private volatile bool running;

    /// <summary>
    /// Keeps <paramref name="create"/> to make once the database answers again, when <paramref name="failure"/> says it
    /// did not, and this service runs. False otherwise: the caller's failure stands.
    /// </summary>
    public bool TryDefer(string what, Action create, Exception failure)
    {
        if (!running || !DatabaseOutageRetryFilter.IsDatabaseOutage(failure) || !pending.Writer.TryWrite(new HandOff(what, create)))
        {
            return false;
        }

        logger.LogWarning(
            "Could not hand {What:l} on: the database is unreachable ({Reason}). The outcome before it is saved; the hand-off is tried again every few seconds until the database answers",
            what, failure.GetBaseException().Message);
        return true;
    }

    /// <summary>Hand-offs kept and not yet made.</summary>
    public int Pending => pending.Reader.Count;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        running = true;
        return base.StartAsync(cancellationToken);
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        running = false; // what comes now would be kept past the loop's end: the caller's failure stands instead
        return base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await pending.Reader.WaitToReadAsync(stoppingToken))
            {
                // Peeked, and read only once made: should the stop come first, the count it logs includes this one.
                while (pending.Reader.TryPeek(out var next))
                {
                    await MakeAsync(next, stoppingToken);
                    pending.Reader.TryRead(out _);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // the service is stopping: an ordinary end (the exit code reads a cancelled service as a failure)
        }
        finally
        {
            running = false;
            if (pending.Reader.TryPeek(out var first))
            {
                logger.LogWarning(
                    "The service stops with {Count} hand-offs not made, the first {What:l}: the stalled-step sweep of a running instance hands those batches out after Polling:StalledAfter",
                    pending.Reader.Count, first.What);
            }
        }
    }

    private async Task MakeAsync(HandOff handOff, CancellationToken stoppingToken)
    {
        var delay = FirstDelay;
        for (var tries = 1; ; tries++)
        {
            await Task.Delay(delay, time, stoppingToken);
            try
            {
                handOff.Create();
                logger.LogInformation("Handed {What:l} on after {Tries} tries, the database answering again", handOff.What, tries);
                return;
            }
            catch (Exception ex) when (DatabaseOutageRetryFilter.IsDatabaseOutage(ex))
            {
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, DatabaseOutageRetryFilter.Delay.Ticks));
            }
            catch (Exception ex)
            {
                // Not the outage: what the first try would have thrown. The sweep is the way back for this one.
                logger.LogError(ex, "Could not hand {What:l} on; the stalled-step sweep hands the batch out after Polling:StalledAfter", handOff.What);
                return;
            }
        }
    }

    private sealed record HandOff(string What, Action Create);
}

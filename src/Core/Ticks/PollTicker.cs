using System.Threading.Channels;
using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.FollowUp;
using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Watchdog;
using BatchOrchestrator.Core.Webhooks;

namespace BatchOrchestrator.Core.Ticks;

/// <summary>
/// Starts the poll tick when it has work instead of on a clock (docs/architecture.md decision 4): asks the
/// database when the next poll, stalled step, follow-up or watchdog age falls due, sleeps until then, and
/// hands a tick to the scheduler at that moment, at most one per <see cref="PollingOptions.Interval"/>.
/// Woken early whenever a job of this instance ends (it may have submitted a batch or recorded results);
/// with nothing open it asks again every <see cref="PollingOptions.IdleCheckInterval"/>, which bounds the
/// delay for work created by another process. An idle service so costs one small query a minute, not a job
/// every few seconds. A tick whose next one falls due soon stays and runs it (<see cref="TickAsync"/>), so
/// a batch polled every few seconds costs one tick job, not one per poll.
/// <para>
/// The spacing between ticks and the length of a hold are measured on the monotonic clock
/// (<see cref="TimeProvider.GetTimestamp"/>), not the wall clock: a wall clock set back (an NTP step, a VM
/// resumed from a snapshot) by an hour otherwise read as "the last tick was an hour from now", and no tick was
/// handed out, nor a held one run, for that hour (docs/resilience.md, "Clock jumps"). What is due comes from the
/// database's clock.
/// </para>
/// </summary>
internal sealed class PollTicker(
    IPollTickStore store,
    IPipelineScheduler scheduler,
    IOptions<PollingOptions> polling,
    IOptions<WatchdogOptions> watchdog,
    IOptions<FollowUpOptions> followUp,
    IOptions<WebhookOptions> webhooks,
    TimeProvider time,
    ILogger<PollTicker> logger)
{
    private readonly Channel<bool> wakeups = NewWakeups();
    private readonly Channel<bool> holderWakeups = NewWakeups();
    private long? lastHandedAt; // a monotonic timestamp
    private volatile bool tickInFlight;
    private bool failing;
    private int holders;
    private long holdingUntil; // a monotonic timestamp; 0 while no tick holds on here

    /// <summary>Something may have become due (a job ended); look again now.</summary>
    public void Wake() => wakeups.Writer.TryWrite(true); // a wake-up already waiting is enough

    /// <summary>A tick this instance handed out has run: another may be handed out as soon as one is due.</summary>
    public void TickEnded()
    {
        tickInFlight = false;
        Wake();
    }

    private PollTickAges Ages => new(polling.Value.StalledAfter, watchdog.Value.StuckAfter, watchdog.Value.JobStuckAfter, followUp.Value.Enabled, webhooks.Value.MissedAfter);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var settings = polling.Value;
        var ages = Ages;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = await NextAsync(settings, ages, stoppingToken);
            await SleepAsync(wakeups, wait, stoppingToken);
        }
    }

    /// <summary>
    /// Runs one tick (the job's body), and while the next tick falls due within <see cref="PollingOptions.HoldTickFor"/>
    /// sleeps until then and runs it too, up to <see cref="PollingOptions.HoldTickAtMost"/>; ticks stay at least
    /// <see cref="PollingOptions.Interval"/> apart. One tick per process holds on: another (the backstop, a webhook's)
    /// runs once and ends. While one holds, this instance's ticker hands out no other and wakes the holder instead.
    /// </summary>
    public async Task TickAsync(Func<CancellationToken, Task> tick, CancellationToken cancellationToken)
    {
        var settings = polling.Value;
        var holding = Interlocked.CompareExchange(ref holders, 1, 0) == 0;
        var started = time.GetTimestamp();
        try
        {
            while (true)
            {
                var began = time.GetTimestamp();
                await tick(cancellationToken);
                if (!holding || await HoldForAsync(settings, began, started, cancellationToken) is not { } wait)
                {
                    return;
                }

                Interlocked.Exchange(ref holdingUntil, time.GetTimestamp() + Timestamps(wait + (settings.Interval * 5)));
                await SleepAsync(holderWakeups, wait, cancellationToken);
                var spacing = settings.Interval - time.GetElapsedTime(began);
                if (spacing > TimeSpan.Zero)
                {
                    await Task.Delay(spacing, time, cancellationToken); // woken early: still never two ticks closer than the interval
                }
            }
        }
        finally
        {
            if (holding)
            {
                Interlocked.Exchange(ref holdingUntil, 0);
                Volatile.Write(ref holders, 0);
            }
        }
    }

    /// <summary>How long to sleep before the next tick, or null when it is not worth holding on for (or the database cannot say).</summary>
    private async Task<TimeSpan?> HoldForAsync(PollingOptions settings, long began, long started, CancellationToken cancellationToken)
    {
        TimeSpan? due;
        try
        {
            due = await store.TimeUntilDueAsync(Ages, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return null; // the ticker asks again on its own pace, and says so if the database is down
        }

        if (due is not { } until || until > settings.HoldTickFor)
        {
            return null;
        }

        var wait = TimeSpan.FromTicks(Math.Max(0, Math.Max(until.Ticks, (settings.Interval - time.GetElapsedTime(began)).Ticks))); // due already, and the tick outlasted the interval: at once
        return time.GetElapsedTime(started) + wait > settings.HoldTickAtMost ? null : wait;
    }

    private async Task SleepAsync(Channel<bool> wakeable, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var slept = new CancellationTokenSource(wait, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, slept.Token);
        try
        {
            await wakeable.Reader.ReadAsync(either.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // slept the whole wait
        }
    }

    private long Timestamps(TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);

    private static Channel<bool> NewWakeups() =>
        Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite }); // a wake-up already waiting is enough

    /// <summary>Hands a tick out if one is due, and returns how long to sleep before looking again.</summary>
    private async Task<TimeSpan> NextAsync(PollingOptions settings, PollTickAges ages, CancellationToken cancellationToken)
    {
        TimeSpan? due;
        try
        {
            due = await store.TimeUntilDueAsync(ages, cancellationToken);
            if (failing)
            {
                logger.LogInformation("Poll ticks: the database answers again");
                failing = false;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The database is down: the tick would fail too. Look again after an interval; the service stays up.
            if (!failing)
            {
                logger.LogWarning("Poll ticks: cannot ask the database what is due ({Reason}); asking again every {Interval}", ex.Message, settings.Interval);
                failing = true;
            }

            return settings.Interval;
        }

        if (due is not { } until || until > TimeSpan.Zero)
        {
            return due is { } later && later < settings.IdleCheckInterval ? later : settings.IdleCheckInterval;
        }

        var now = time.GetTimestamp();
        var sinceLast = lastHandedAt is { } handed ? time.GetElapsedTime(handed, now) : TimeSpan.MaxValue;
        if (sinceLast < settings.Interval)
        {
            return settings.Interval - sinceLast; // never two ticks closer than the interval, even if one fails at once
        }

        if (tickInFlight && (sinceLast < settings.Interval * 5 || now < Interlocked.Read(ref holdingUntil)))
        {
            // Still queued behind other jobs, or held here and asleep: wake the holder, hand out nothing. One not
            // heard of in five intervals (nor holding here) was lost, or ran elsewhere.
            holderWakeups.Writer.TryWrite(true);
            return settings.Interval;
        }

        try
        {
            scheduler.EnqueuePoll();
            lastHandedAt = now;
            tickInFlight = true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning("Poll ticks: could not hand out a tick ({Reason}); trying again in {Interval}", ex.Message, settings.Interval);
        }

        return settings.Interval;
    }
}

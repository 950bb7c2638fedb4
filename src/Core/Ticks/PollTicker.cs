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
/// every few seconds.
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
    private readonly Channel<bool> wakeups = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private DateTimeOffset lastHandedAt = DateTimeOffset.MinValue;
    private volatile bool tickInFlight;
    private bool failing;

    /// <summary>Something may have become due (a job ended); look again now.</summary>
    public void Wake() => wakeups.Writer.TryWrite(true); // a wake-up already waiting is enough

    /// <summary>A tick this instance handed out has run: another may be handed out as soon as one is due.</summary>
    public void TickEnded()
    {
        tickInFlight = false;
        Wake();
    }

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var settings = polling.Value;
        var ages = new PollTickAges(settings.StalledAfter, watchdog.Value.StuckAfter, watchdog.Value.JobStuckAfter, followUp.Value.Enabled, webhooks.Value.MissedAfter);
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = await NextAsync(settings, ages, stoppingToken);
            using var slept = new CancellationTokenSource(wait, time);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, slept.Token);
            try
            {
                await wakeups.Reader.ReadAsync(either.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // slept the whole wait
            }
        }
    }

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

        var now = time.GetUtcNow();
        var sinceLast = now - lastHandedAt;
        if (sinceLast < settings.Interval)
        {
            return settings.Interval - sinceLast; // never two ticks closer than the interval, even if one fails at once
        }

        if (tickInFlight && sinceLast < settings.Interval * 5)
        {
            return settings.Interval; // still queued behind other jobs; one not heard of in five intervals was lost (or ran elsewhere)
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

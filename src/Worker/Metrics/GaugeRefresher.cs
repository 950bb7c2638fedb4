using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Persistence.Monitoring;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Metrics;

/// <summary>
/// Reads the database-backed gauges once at start, then whenever a scrape has read them, at most once per
/// <see cref="MetricsOptions.RefreshInterval"/>. The counts by state scan tables that grow with history, so
/// a timer refreshing them for nobody was an idle service's largest query (docs/performance.md). For the same reason
/// a reading waits at least <see cref="TimesItsReading"/> times as long as it took before the next: at a million file
/// versions a reading takes about half a second, and every 15 s it would keep PostgreSQL busy with our own gauges
/// (docs/performance.md, "The gauges at scale"). What a reading costs is read from the shorter of the last two: the first
/// reading after the start pays for new connections, compilation and a cold cache, and a single slow one (a checkpoint, a
/// busy machine) says little of the next; either alone could keep the gauges a minute old.
/// </summary>
internal sealed class GaugeRefresher(
    MetricsQueries queries,
    CostGauges costs,
    GaugeSnapshot snapshot,
    IOptionsMonitor<SourcesOptions> sources,
    IOptions<MetricsOptions> options,
    TimeProvider time,
    ILogger<GaugeRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.RefreshInterval;
        var stretched = false;
        TimeSpan? before = null; // none before the first: it does not stretch
        try
        {
            while (true)
            {
                var pause = interval;
                var started = time.GetTimestamp();
                try
                {
                    var names = sources.CurrentValue.Sources.Select(s => s.Name).ToList();
                    snapshot.Replace([.. await queries.GaugesAsync(names, stoppingToken), .. await costs.ReadAsync(names, stoppingToken)], time.GetUtcNow());
                    var reading = time.GetElapsedTime(started);
                    var took = Cost(before, reading);
                    pause = Pause(interval, took);
                    before = reading;
                    if (pause > interval != stretched)
                    {
                        stretched = pause > interval;
                        if (stretched)
                        {
                            logger.LogInformation(
                                "Reading the gauges took {Took} (the shorter of the last two readings): they are read at most every {Pause}, not every {Interval}, so that reading them takes the database a fiftieth of its time at most",
                                took, pause, interval);
                        }
                        else
                        {
                            logger.LogInformation("Reading the gauges took {Took} (the shorter of the last two readings): they are read every {Interval} again", took, interval);
                        }
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The gauges keep their last values, batchorchestrator_database_up says 0 (and /readyz says the
                    // database is down); the next scrape asks again. Metrics must never be what stops the service.
                    snapshot.RefreshFailed();
                    logger.LogWarning("Could not refresh metrics from the database: {Reason}", ex.Message);
                    pause = Pause(interval, time.GetElapsedTime(started)); // one that ran into the command timeout costs as much
                }

                await Task.Delay(pause, time, stoppingToken);
                await snapshot.WaitForReadAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // the service is stopping: an ordinary end (the exit code reads a cancelled service as a failure)
        }
    }

    /// <summary>A reading waits this many times as long as it took before the next one.</summary>
    internal const int TimesItsReading = 50;

    /// <summary>
    /// The longest wait a slow reading makes: the gauges include <c>batchorchestrator_database_up</c>, which must not say the
    /// database is down for long after a reading that ran into the command timeout, once the database answers again.
    /// </summary>
    internal static readonly TimeSpan LongestPause = TimeSpan.FromMinutes(2);

    /// <summary>What the last reading says a reading costs: the shorter of it and the one <paramref name="before"/> it; nothing after the first.</summary>
    internal static TimeSpan Cost(TimeSpan? before, TimeSpan reading) => before is not { } last ? TimeSpan.Zero : last < reading ? last : reading;

    /// <summary>The wait after a reading that took <paramref name="took"/>: the configured interval, or longer for a slow reading, up to <see cref="LongestPause"/>.</summary>
    internal static TimeSpan Pause(TimeSpan interval, TimeSpan took)
    {
        var spaced = took * TimesItsReading < LongestPause ? took * TimesItsReading : LongestPause;
        return spaced > interval ? spaced : interval;
    }
}

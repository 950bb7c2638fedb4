using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Persistence.Monitoring;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Metrics;

/// <summary>
/// Reads the database-backed gauges once at start, then whenever a scrape has read them, at most once per
/// <see cref="MetricsOptions.RefreshInterval"/>. The counts by state scan tables that grow with history, so
/// a timer refreshing them for nobody was an idle service's largest query (docs/performance.md).
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
        try
        {
            while (true)
            {
                try
                {
                    var names = sources.CurrentValue.Sources.Select(s => s.Name).ToList();
                    snapshot.Replace([.. await queries.GaugesAsync(names, stoppingToken), .. await costs.ReadAsync(names, stoppingToken)], time.GetUtcNow());
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The gauges keep their last values, batchorchestrator_database_up says 0 (and /readyz says the
                    // database is down); the next scrape asks again. Metrics must never be what stops the service.
                    snapshot.RefreshFailed();
                    logger.LogWarning("Could not refresh metrics from the database: {Reason}", ex.Message);
                }

                await Task.Delay(interval, time, stoppingToken);
                await snapshot.WaitForReadAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // the service is stopping: an ordinary end (the exit code reads a cancelled service as a failure)
        }
    }
}

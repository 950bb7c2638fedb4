using System.Data.Common;
using BatchOrchestrator.Persistence.Monitoring;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Metrics;

/// <summary>Reads the database-backed gauges every <see cref="MetricsOptions.RefreshInterval"/>.</summary>
internal sealed class GaugeRefresher(
    OpsQueries queries, GaugeSnapshot snapshot, IOptions<MetricsOptions> options, TimeProvider time, ILogger<GaugeRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RefreshInterval, time);
        do
        {
            try
            {
                snapshot.Replace(await queries.GaugesAsync(stoppingToken), time.GetUtcNow());
            }
            catch (DbException ex)
            {
                // The gauges keep their last values (and /readyz says the database is down); the next tick tries again.
                logger.LogWarning("Could not refresh metrics from the database: {Reason}", ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

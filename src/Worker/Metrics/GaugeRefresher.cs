using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Persistence.Monitoring;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Metrics;

/// <summary>Reads the database-backed gauges every <see cref="MetricsOptions.RefreshInterval"/>.</summary>
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
        using var timer = new PeriodicTimer(options.Value.RefreshInterval, time);
        try
        {
            do
            {
                try
                {
                    var names = sources.CurrentValue.Sources.Select(s => s.Name).ToList();
                    snapshot.Replace([.. await queries.GaugesAsync(names, stoppingToken), .. await costs.ReadAsync(names, stoppingToken)], time.GetUtcNow());
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The gauges keep their last values, batchorchestrator_database_up says 0 (and /readyz says the
                    // database is down); the next tick tries again. Metrics must never be what stops the service.
                    snapshot.RefreshFailed();
                    logger.LogWarning("Could not refresh metrics from the database: {Reason}", ex.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // the service is stopping: an ordinary end (the exit code reads a cancelled service as a failure)
        }
    }
}

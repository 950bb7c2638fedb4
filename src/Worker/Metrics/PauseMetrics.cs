using System.Diagnostics.Metrics;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Sources;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Metrics;

/// <summary>
/// The project pauses as gauges, names fixed for the alert rules (docs/resilience.md):
/// <c>batchorchestrator_project_paused{project,reason}</c> is 1 while the project is held back for that
/// reason and 0 otherwise (for every project the sources work in), and
/// <c>batchorchestrator_project_paused_since_seconds{project,reason}</c> is the Unix time the pause began,
/// present only while it lasts. Read from the shared table every <see cref="MetricsOptions.RefreshInterval"/>,
/// so every replica reports the same (aggregate with <c>max</c>).
/// </summary>
internal sealed class PauseMetrics(
    IMeterFactory meters, ProjectPauses pauses, ProjectScopes scopes, IOptions<MetricsOptions> options, TimeProvider time, ILogger<PauseMetrics> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var meter = meters.Create(OpsMetrics.MeterName);
        meter.CreateObservableGauge("batchorchestrator.project.paused", Paused, unit: null, "1 while new uploads, batch creates and follow-ups of the LlamaCloud project are held back, by reason");
        meter.CreateObservableGauge("batchorchestrator.project.paused_since", Since, "s", "Unix time the pause of the LlamaCloud project began, by reason");
        using var timer = new PeriodicTimer(options.Value.RefreshInterval, time);
        try
        {
            do
            {
                try
                {
                    await pauses.ListAsync(fresh: true, stoppingToken); // the gauges read what this left
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogDebug("Could not read the project pauses for the metrics: {Reason}", ex.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping: an ordinary end
        }
    }

    private IEnumerable<Measurement<int>> Paused()
    {
        var paused = pauses.LastRead.Select(p => (p.Project, p.Reason)).ToHashSet();
        var projects = scopes.Configured().Select(s => s.Key).Union(paused.Select(p => p.Project)).Distinct(StringComparer.Ordinal);
        foreach (var project in projects)
        {
            foreach (var reason in PauseReasons.All)
            {
                yield return new Measurement<int>(paused.Contains((project, reason)) ? 1 : 0, Labels(project, reason));
            }
        }
    }

    private IEnumerable<Measurement<double>> Since() =>
        pauses.LastRead.Select(p => new Measurement<double>(p.Since.ToUnixTimeMilliseconds() / 1000.0, Labels(p.Project, p.Reason)));

    private static KeyValuePair<string, object?>[] Labels(string project, PauseReason reason) =>
        [new("project", project), new("reason", reason.Label())];
}

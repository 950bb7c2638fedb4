using System.Diagnostics.Metrics;
using BatchOrchestrator.Persistence.Monitoring;

namespace BatchOrchestrator.Worker.Metrics;

/// <summary>
/// The database-backed gauges, refreshed by <see cref="GaugeRefresher"/> in one query, so a scrape
/// never waits on the database and scrapes from several Prometheus servers cost nothing extra.
/// </summary>
internal sealed class GaugeSnapshot
{
    private volatile IReadOnlyList<(string Metric, string Label, double Value)> rows = [];

    public DateTimeOffset? TakenAt { get; private set; }

    public void Replace(IReadOnlyList<(string Metric, string Label, double Value)> latest, DateTimeOffset at)
    {
        rows = latest;
        TakenAt = at;
    }

    public IEnumerable<Measurement<double>> Read(string metric, string? labelName = null) =>
        rows.Where(r => r.Metric == metric)
            .Select(r => labelName is null
                ? new Measurement<double>(r.Value)
                : new Measurement<double>(r.Value, new KeyValuePair<string, object?>(labelName, r.Label)));
}

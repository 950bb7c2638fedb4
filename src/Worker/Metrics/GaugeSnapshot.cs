using System.Diagnostics.Metrics;

namespace BatchOrchestrator.Worker.Metrics;

/// <summary>
/// The database-backed gauges, refreshed by <see cref="GaugeRefresher"/> in one query, so a scrape
/// never waits on the database and scrapes from several Prometheus servers cost nothing extra.
/// </summary>
internal sealed class GaugeSnapshot
{
    private volatile IReadOnlyList<(string Metric, string Label, double Value)> rows = [];
    private volatile int databaseUp = -1;

    public DateTimeOffset? TakenAt { get; private set; }

    public void Replace(IReadOnlyList<(string Metric, string Label, double Value)> latest, DateTimeOffset at)
    {
        rows = latest;
        TakenAt = at;
        databaseUp = 1;
    }

    /// <summary>The last refresh failed: the values stay as they were, and the database counts as down.</summary>
    public void RefreshFailed() => databaseUp = 0;

    /// <summary>1 when the last refresh succeeded, 0 when it failed; nothing before the first.</summary>
    public IEnumerable<Measurement<int>> DatabaseUp() => databaseUp < 0 ? [] : [new Measurement<int>(databaseUp)];

    /// <summary>A gauge with two labels, whose row label holds both values separated by the unit separator (char 31).</summary>
    public IEnumerable<Measurement<double>> Read(string metric, string firstLabel, string secondLabel) =>
        rows.Where(r => r.Metric == metric && r.Label.Contains('\u001f', StringComparison.Ordinal))
            .Select(r => new Measurement<double>(
                r.Value,
                new KeyValuePair<string, object?>(firstLabel, r.Label[..r.Label.IndexOf('\u001f', StringComparison.Ordinal)]),
                new KeyValuePair<string, object?>(secondLabel, r.Label[(r.Label.IndexOf('\u001f', StringComparison.Ordinal) + 1)..])));

    public IEnumerable<Measurement<double>> Read(string metric, string? labelName = null) =>
        rows.Where(r => r.Metric == metric)
            .Select(r => labelName is null
                ? new Measurement<double>(r.Value)
                : new Measurement<double>(r.Value, new KeyValuePair<string, object?>(labelName, r.Label)));
}

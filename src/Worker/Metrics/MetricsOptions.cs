namespace BatchOrchestrator.Worker.Metrics;

/// <summary>Metrics ("Metrics" section).</summary>
public sealed class MetricsOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Metrics";

    /// <summary>
    /// The least time between two readings of the counts by state and the lags from the database. A reading
    /// is made when a scrape has read the previous one, so values lag by up to one scrape, and nothing is
    /// read while nothing scrapes.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Where Prometheus scrapes; empty turns the endpoint off.</summary>
    public string Path { get; set; } = "/metrics";
}

namespace BatchOrchestrator.Worker.Metrics;

/// <summary>Metrics ("Metrics" section).</summary>
public sealed class MetricsOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Metrics";

    /// <summary>How often the counts by state and the lags are read from the database.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Where Prometheus scrapes; empty turns the endpoint off.</summary>
    public string Path { get; set; } = "/metrics";
}

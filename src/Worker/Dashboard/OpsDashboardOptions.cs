namespace BatchOrchestrator.Worker.Dashboard;

/// <summary>The operator's dashboard ("Dashboard" section).</summary>
public sealed class OpsDashboardOptions
{
    /// <summary>Where the Hangfire dashboard is mounted.</summary>
    public string Path { get; set; } = "/hangfire";
}

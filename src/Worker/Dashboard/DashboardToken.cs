namespace BatchOrchestrator.Worker.Dashboard;

/// <summary>A bearer token accepted by the dashboard (an item of "Dashboard:Tokens").</summary>
public sealed class DashboardToken
{
    /// <summary>A name for logs and the dashboard's header, e.g. <c>grafana</c>.</summary>
    public string Name { get; set; } = "";

    /// <summary>The token's hash, as printed by <c>config hash-secret</c>; never the token itself.</summary>
    public string Hash { get; set; } = "";

    /// <summary><c>ReadOnly</c> (the default) or <c>Operator</c>.</summary>
    public DashboardRole Role { get; set; } = DashboardRole.ReadOnly;
}

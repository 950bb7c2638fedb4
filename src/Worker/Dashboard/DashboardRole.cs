namespace BatchOrchestrator.Worker.Dashboard;

/// <summary>What a dashboard caller may do.</summary>
public enum DashboardRole
{
    /// <summary>Nothing: the request is refused.</summary>
    None,

    /// <summary>Look, but not act: every page, no button, and commands are refused.</summary>
    ReadOnly,

    /// <summary>Look and act: start, cancel and retry, and Hangfire's own job commands.</summary>
    Operator,
}

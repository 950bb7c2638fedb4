namespace BatchOrchestrator.Worker.Dashboard;

/// <summary>A basic-auth user of the dashboard (an item of "Dashboard:Users").</summary>
public sealed class DashboardUser
{
    /// <summary>The user name.</summary>
    public string Name { get; set; } = "";

    /// <summary>The password's hash, as printed by <c>config hash-secret</c>; never the password itself.</summary>
    public string PasswordHash { get; set; } = "";

    /// <summary><c>ReadOnly</c> (the default) or <c>Operator</c>.</summary>
    public DashboardRole Role { get; set; } = DashboardRole.ReadOnly;
}

namespace BatchOrchestrator.Worker.Dashboard;

/// <summary>The operator's dashboard ("Dashboard" section). Remote access needs an entry in <see cref="Users"/> or <see cref="Tokens"/>.</summary>
public sealed class OpsDashboardOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Dashboard";

    /// <summary>Where the Hangfire dashboard (and our pages under it) is mounted.</summary>
    public string Path { get; set; } = "/hangfire";

    /// <summary>
    /// What a request from this machine, naming it, may do without credentials: <c>Operator</c> (the default),
    /// <c>ReadOnly</c>, or <c>None</c>. Behind a reverse proxy on the same host that sends no forwarding header,
    /// every request looks local: set <c>None</c> there.
    /// </summary>
    public DashboardRole LocalRequests { get; set; } = DashboardRole.Operator;

    /// <summary>Basic-auth users: a name, a hash made by <c>config hash-secret</c>, and a role.</summary>
    public List<DashboardUser> Users { get; set; } = [];

    /// <summary>Bearer tokens, each kept only as a hash made by <c>config hash-secret</c>, with a role.</summary>
    public List<DashboardToken> Tokens { get; set; } = [];
}

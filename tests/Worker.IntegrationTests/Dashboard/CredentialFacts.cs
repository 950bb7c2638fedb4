using Microsoft.AspNetCore.Http;

namespace BatchOrchestrator.Worker.IntegrationTests.Dashboard;

/// <summary>How <see cref="DashboardAccess"/> treats credentials from another machine, without a host.</summary>
public sealed class CredentialFacts
{
    private const string Token = "grafana-token-0123456789";
    private static readonly string TokenHash = SecretHash.Create(Token);
    private static readonly string PasswordHash = SecretHash.Create("right-password");

    [Fact]
    public void AVerifiedToken_IsForgotten_AsSoonAsTheConfigurationNoLongerHasIt()
    {
        var options = new Monitor(new OpsDashboardOptions { Tokens = [new DashboardToken { Name = "grafana", Hash = TokenHash, Role = DashboardRole.Operator }] });
        var access = new DashboardAccess(options, TimeProvider.System, NullLogger<DashboardAccess>.Instance);

        var before = access.Decide(Remote($"Bearer {Token}"));
        options.CurrentValue = new OpsDashboardOptions(); // the token removed, configuration reloaded
        var after = access.Decide(Remote($"Bearer {Token}"));

        Assert.Equal((DashboardRole.Operator, "token grafana"), before);
        Assert.Equal(DashboardRole.None, after.Role);
    }

    [Theory]
    [InlineData("ops", "wrong-password")]
    [InlineData("nobody", "right-password")]
    [InlineData("ops", "")]
    public void AWrongPasswordOrAnUnknownUser_IsRefused(string user, string password)
    {
        var access = new DashboardAccess(
            new Monitor(new OpsDashboardOptions { Users = [new DashboardUser { Name = "ops", PasswordHash = PasswordHash, Role = DashboardRole.Operator }] }),
            TimeProvider.System,
            NullLogger<DashboardAccess>.Instance);

        Assert.Equal(DashboardRole.None, access.Decide(Remote($"Basic {Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"))}")).Role);
        Assert.Equal((DashboardRole.Operator, "user ops"), access.Decide(Remote($"Basic {Convert.ToBase64String(Encoding.UTF8.GetBytes("ops:right-password"))}")));
    }

    [Theory]
    [InlineData("127.0.0.1:5080", null, true)]
    [InlineData("localhost:5080", null, true)]
    [InlineData("[::1]:5080", null, true)]
    [InlineData("", null, true)] // HTTP/1.0 names no host
    [InlineData("evil.example:5080", null, false)] // a page whose name now points here (DNS rebinding)
    [InlineData("localhost.evil.example", null, false)]
    [InlineData("127.0.0.1:5080", "X-Forwarded-For", false)] // a reverse proxy here, for someone elsewhere
    [InlineData("127.0.0.1:5080", "Forwarded", false)]
    [InlineData("localhost", "X-Real-IP", false)]
    public void ALoopbackRequest_IsLocal_OnlyWhenItNamesThisMachine_AndNoProxyForwardedIt(string host, string? forwarding, bool local)
    {
        var access = new DashboardAccess(new Monitor(new OpsDashboardOptions()), TimeProvider.System, NullLogger<DashboardAccess>.Instance);
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Loopback;
        http.Connection.LocalIpAddress = IPAddress.Loopback;
        http.Request.Host = new HostString(host);
        if (forwarding is not null)
        {
            http.Request.Headers[forwarding] = "203.0.113.9";
        }

        Assert.Equal(local ? (DashboardRole.Operator, "local") : (DashboardRole.None, "remote"), access.Decide(http));
    }

    [Fact]
    public void ALoopbackRequest_ByThisMachinesOwnName_IsLocal()
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Loopback;
        http.Request.Host = new HostString(System.Net.Dns.GetHostName(), 5080);

        Assert.True(DashboardAccess.IsLocal(http));
        http.Request.Host = new HostString($"{System.Net.Dns.GetHostName().Split('.')[0]}.attacker.example", 5080); // a name that only begins with it
        Assert.False(DashboardAccess.IsLocal(http));
    }

    private static DefaultHttpContext Remote(string authorization)
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Parse("10.1.2.3");
        http.Connection.LocalIpAddress = IPAddress.Parse("10.1.2.4");
        http.Request.Headers.Authorization = authorization;
        return http;
    }

    private sealed class Monitor(OpsDashboardOptions value) : IOptionsMonitor<OpsDashboardOptions>
    {
        public OpsDashboardOptions CurrentValue { get; set; } = value;

        public OpsDashboardOptions Get(string? name) => CurrentValue;

        public IDisposable? OnChange(Action<OpsDashboardOptions, string?> listener) => null;
    }
}

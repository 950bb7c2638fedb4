using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Hangfire.Dashboard;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Dashboard;

/// <summary>
/// Decides each dashboard request's role. Hangfire's <c>AsyncAuthorization</c> replaces its local-only
/// default with nothing (docs/reliability.md §3), so locality is decided here too: a local request
/// without credentials gets <see cref="OpsDashboardOptions.LocalRequests"/>; a remote one needs a
/// configured user (basic auth) or token (bearer); anything else is refused. The role is kept on the
/// request for <see cref="IsReadOnly"/>, which hides and refuses every command of a read-only caller.
/// </summary>
internal sealed class DashboardAccess(IOptionsMonitor<OpsDashboardOptions> options, TimeProvider time, ILogger<DashboardAccess> logger)
    : IDashboardAsyncAuthorizationFilter
{
    private const int MaxCachedCredentials = 256;
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(5);
    private static readonly object RoleKey = new();
    private static readonly object CallerKey = new();

    // PBKDF2 is slow on purpose. So that anyone who can reach the dashboard cannot keep every core busy
    // with made-up credentials (and starve the jobs), at most half the cores verify at once; a request
    // finding them all busy is refused without hashing.
    private static readonly SemaphoreSlim Verifying = new(Math.Max(1, Environment.ProcessorCount / 2));

    // Verified against for an unknown user name, so that a wrong name costs what a wrong password does.
    private static readonly Lazy<string> UnknownUserHash = new(() => SecretHash.Create(Guid.NewGuid().ToString("N")));

    // The dashboard polls /stats every few seconds, so a verified credential is remembered briefly (by its
    // SHA-256 only), and forgotten as soon as the users or tokens change.
    private readonly ConcurrentDictionary<string, (DashboardRole Role, string Caller, DateTimeOffset Until)> verified = new(StringComparer.Ordinal);
    private OpsDashboardOptions? verifiedFor;

    public static DashboardRole RoleOf(HttpContext http) =>
        http.Items.TryGetValue(RoleKey, out var role) && role is DashboardRole known ? known : DashboardRole.None;

    /// <summary>Who the caller is, for the audit line of a command: a user's or token's name, or "local".</summary>
    public static string CallerOf(HttpContext http) => http.Items.TryGetValue(CallerKey, out var caller) ? (string)caller! : "unknown";

    public static bool IsReadOnly(DashboardContext context) => RoleOf(context.GetHttpContext()) != DashboardRole.Operator;

    public Task<bool> AuthorizeAsync(DashboardContext context)
    {
        var http = context.GetHttpContext();
        var settings = options.CurrentValue;
        var (role, caller) = Decide(http);
        http.Items[RoleKey] = role;
        http.Items[CallerKey] = caller;
        if (role == DashboardRole.None && (settings.Users.Count > 0 || settings.Tokens.Count > 0))
        {
            // Lets a browser ask for a user and password.
            http.Response.Headers.WWWAuthenticate = "Basic realm=\"BatchOrchestrator\", charset=\"UTF-8\"";
        }

        return Task.FromResult(role != DashboardRole.None);
    }

    /// <summary>The caller's role and name for the audit trail; "None" means refused.</summary>
    internal (DashboardRole Role, string Caller) Decide(HttpContext http)
    {
        var settings = options.CurrentValue;
        if (!ReferenceEquals(settings, verifiedFor))
        {
            // Reloaded configuration (a user or token removed): nothing verified before counts any more.
            verified.Clear();
            verifiedFor = settings;
        }

        var header = http.Request.Headers.Authorization.ToString();
        if (!string.IsNullOrEmpty(header))
        {
            var (role, caller) = FromCredentials(header, settings, http.Connection.RemoteIpAddress);
            if (role == DashboardRole.None)
            {
                logger.LogWarning("Dashboard refused a request from {RemoteIp}: credentials not recognised", http.Connection.RemoteIpAddress);
            }

            return (role, caller);
        }

        return IsLocal(http) ? (settings.LocalRequests, "local") : (DashboardRole.None, "remote");
    }

    /// <summary>
    /// A request from this machine, to this machine by a name of its own. The address alone is not enough: a web page
    /// whose name its owner points at 127.0.0.1 once it is loaded (DNS rebinding) has the browser send its requests here,
    /// with the antiforgery token it read, as the dashboard's own page would; those carry that page's name as Host. A
    /// reverse proxy on this machine sends everyone's requests from loopback too; it says so in a forwarding header.
    /// </summary>
    internal static bool IsLocal(HttpContext http)
    {
        var connection = http.Connection;
        if (connection.RemoteIpAddress is not { } remote || !(IPAddress.IsLoopback(remote) || remote.Equals(connection.LocalIpAddress)))
        {
            return false;
        }

        var headers = http.Request.Headers;
        if (headers.ContainsKey("X-Forwarded-For") || headers.ContainsKey("Forwarded") || headers.ContainsKey("X-Real-IP"))
        {
            return false;
        }

        // An address as the name (no one can rebind it), 'localhost', or this machine's own name.
        var host = http.Request.Host.Host.TrimEnd('.');
        return host.Length == 0
            || IPAddress.TryParse(host.Trim('[', ']'), out _)
            || host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            || MachineNames.Contains(host, StringComparer.OrdinalIgnoreCase);
    }

    // The machine's name as the system gives it, and its first label: whole names only, as a page's own name may begin with
    // either ('buildbox.attacker.example').
    private static readonly string[] MachineNames = Dns.GetHostName() is var name ? [name, name.Split('.')[0]] : [];

    private (DashboardRole Role, string Caller) FromCredentials(string header, OpsDashboardOptions settings, IPAddress? remoteIp)
    {
        var refused = (DashboardRole.None, "refused");
        if (!AuthenticationHeaderValue.TryParse(header, out var value) || string.IsNullOrEmpty(value.Parameter))
        {
            return refused;
        }

        var cacheKey = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(header)));
        var now = time.GetUtcNow();
        if (verified.TryGetValue(cacheKey, out var known) && known.Until > now)
        {
            return (known.Role, known.Caller);
        }

        if (!Verifying.Wait(0))
        {
            logger.LogWarning("Dashboard refused a request from {RemoteIp}: credentials are being verified for too many requests at once", remoteIp);
            return refused;
        }

        (DashboardRole Role, string Caller)? found;
        try
        {
            found = value.Scheme.ToUpperInvariant() switch
            {
                "BASIC" => FromBasic(value.Parameter, settings),
                "BEARER" => settings.Tokens.FirstOrDefault(t => SecretHash.Verify(value.Parameter, t.Hash)) is { } token
                    ? (token.Role, $"token {token.Name}")
                    : null,
                _ => null,
            };
        }
        finally
        {
            Verifying.Release();
        }

        if (found is not { } accepted)
        {
            return refused;
        }

        if (verified.Count >= MaxCachedCredentials)
        {
            verified.Clear();
        }

        verified[cacheKey] = (accepted.Role, accepted.Caller, now + CacheFor);
        return accepted;
    }

    private static (DashboardRole, string)? FromBasic(string parameter, OpsDashboardOptions settings)
    {
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
        }
        catch (FormatException)
        {
            return null;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return null;
        }

        var name = decoded[..colon];
        var user = settings.Users.FirstOrDefault(u => string.Equals(u.Name, name, StringComparison.Ordinal));
        var matches = SecretHash.Verify(decoded[(colon + 1)..], user?.PasswordHash ?? UnknownUserHash.Value);
        return user is not null && matches ? (user.Role, $"user {user.Name}") : null;
    }
}

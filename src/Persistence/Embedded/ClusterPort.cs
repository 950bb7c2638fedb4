using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace BatchOrchestrator.Persistence.Embedded;

/// <summary>
/// The embedded server's port: the configured one; else the last start's, kept in our conf file, while nobody
/// else has taken it (so connection strings written down stay true across restarts); else a free one.
/// </summary>
internal static class ClusterPort
{
    private const string Setting = "port = ";

    public static int Choose(int configured, string cluster, string ourConf)
    {
        var ourServerRuns = File.Exists(Path.Combine(cluster, "postmaster.pid"));
        if (configured != 0 && !ourServerRuns && !IsFree(configured))
        {
            throw new EmbeddedPostgresException(
                $"Database:Embedded:Port: 127.0.0.1:{configured} is in use by another program; set another port, or 0 to let the embedded server pick a free one");
        }

        return configured != 0 ? configured : Kept(Path.Combine(cluster, ourConf), ourServerRuns) ?? Free();
    }

    /// <summary>The line our conf file starts the port with.</summary>
    public static string Line(int port) => Setting + port.ToString(CultureInfo.InvariantCulture);

    // The port of the last start, if nobody else has taken it meanwhile (or our server still holds it).
    private static int? Kept(string conf, bool ourServerRuns)
    {
        if (!File.Exists(conf))
        {
            return null;
        }

        var line = File.ReadLines(conf).FirstOrDefault(l => l.StartsWith(Setting, StringComparison.Ordinal));
        if (line is null || !int.TryParse(line[Setting.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var kept))
        {
            return null;
        }

        return ourServerRuns || IsFree(kept) ? kept : null;
    }

    private static bool IsFree(int candidate)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, candidate);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

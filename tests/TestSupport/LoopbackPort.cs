using System.Net;
using System.Net.Sockets;

namespace BatchOrchestrator.TestSupport;

/// <summary>A loopback port the system just handed out and nobody listens on now: to bind next, or to find closed.</summary>
public static class LoopbackPort
{
    public static int Unused()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>An unused port other than <paramref name="except"/>, which was handed out but is not bound yet.</summary>
    public static int Unused(int except)
    {
        var port = Unused();
        while (port == except)
        {
            port = Unused();
        }

        return port;
    }
}

namespace BatchOrchestrator.Worker.IntegrationTests.Support;

/// <summary>
/// A TCP relay in front of PostgreSQL that can stop answering without closing anything, as a database that hangs
/// (a stalled host, a route that drops packets) looks to the service: open connections stay open and their bytes go
/// nowhere, new connections are accepted and never answered. Disposing it closes every connection, so a host
/// stopped after it meets failures at once rather than the hang.
/// </summary>
internal sealed class FreezableRelay : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentBag<TcpClient> connections = [];
    private readonly string upstreamHost;
    private readonly int upstreamPort;
    private readonly Task accepting;
    private volatile bool frozen;

    public FreezableRelay(string connectionString)
    {
        var upstream = new NpgsqlConnectionStringBuilder(connectionString);
        (upstreamHost, upstreamPort) = (upstream.Host!, upstream.Port);
        listener.Start();
        accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary><paramref name="connectionString"/> with the relay in place of the server.</summary>
    public string Through(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = Port }.ConnectionString;

    public void Freeze() => frozen = true;

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            connections.Add(client);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        var server = new TcpClient();
        connections.Add(server);
        try
        {
            await server.ConnectAsync(upstreamHost, upstreamPort, stop.Token);
            await Task.WhenAny(PumpAsync(client.GetStream(), server.GetStream()), PumpAsync(server.GetStream(), client.GetStream()));
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException or IOException)
        {
        }
        finally
        {
            client.Dispose();
            server.Dispose();
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, stop.Token)) > 0)
        {
            if (!frozen) // frozen: what either side sends is swallowed, and neither hears back
            {
                await to.WriteAsync(buffer.AsMemory(0, read), stop.Token);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        foreach (var connection in connections)
        {
            connection.Dispose();
        }

        await accepting;
        stop.Dispose();
    }
}

using System.Net;
using System.Net.Sockets;
using HangfireLogLevel = Hangfire.Logging.LogLevel;
using HangfireLogProvider = Hangfire.Logging.LogProvider;

namespace BatchOrchestrator.Worker.IntegrationTests.Logging;

/// <summary>
/// Hangfire's lines about a database it cannot reach are one line each, reason included, with no stack trace: every one
/// of its background processes says the same during an outage. Its other exceptions keep their stack traces.
/// </summary>
public sealed class HangfireOutageLogFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    [Fact]
    public async Task AConnectionFailureHangfireLogs_IsOneLineWithItsReason_AndAnyOtherExceptionKeepsItsStackTrace()
    {
        var logs = new CapturingSink();
        await using var host = await WorkerHost.StartAsync(Env.Root, Env.Settings(), logs);
        var refused = await RefusedConnectionAsync();
        var hangfire = HangfireLogProvider.GetLogger("Hangfire.Processing.BackgroundExecution"); // as the host configured Hangfire's logging

        hangfire.Log(HangfireLogLevel.Error, () => "Execution DelayedJobScheduler is in the Failed state now due to an exception", refused);
        hangfire.Log(HangfireLogLevel.Error, () => "Execution Worker failed", new InvalidOperationException("a bug of its own"));

        var outage = Assert.Single(logs.Events, e => e.RenderMessage(CultureInfo.InvariantCulture).StartsWith("Execution DelayedJobScheduler", StringComparison.Ordinal));
        Assert.Null(outage.Exception);
        Assert.Equal(LogEventLevel.Error, outage.Level);
        Assert.Contains($"PostgreSQL cannot be reached: {refused.InnerException!.Message}", outage.RenderMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var bug = Assert.Single(logs.Events, e => e.RenderMessage(CultureInfo.InvariantCulture).StartsWith("Execution Worker failed", StringComparison.Ordinal));
        Assert.IsType<InvalidOperationException>(bug.Exception);
    }

    /// <summary>What Npgsql throws when nothing listens on the server's port: a real failure, not one made up.</summary>
    private static async Task<NpgsqlException> RefusedConnectionAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=nobody;Password=none;Timeout=5;Pooling=false");
        var failure = await Assert.ThrowsAsync<NpgsqlException>(() => connection.OpenAsync(Ct));
        Assert.IsType<SocketException>(failure.InnerException);
        return failure;
    }
}

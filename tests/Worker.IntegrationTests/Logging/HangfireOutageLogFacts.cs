using System.Net;
using System.Net.Sockets;
using HangfireLogLevel = Hangfire.Logging.LogLevel;
using BatchOrchestrator.Worker.Logging;
using HangfireLogProvider = Hangfire.Logging.LogProvider;

namespace BatchOrchestrator.Worker.IntegrationTests.Logging;

/// <summary>
/// Hangfire's lines about a database it cannot reach are one line each, reason included, with no stack trace, and one a
/// minute: every one of its background processes says the same during an outage. Its other exceptions keep their stack
/// traces.
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

    [Fact]
    public async Task TheSameOutageFromHangfiresOtherProcesses_IsCountedNotWritten_AndTheNextLineAMinuteLaterSaysHowManyWereLeftOut()
    {
        var written = new WrittenLines();
        var time = new HandClock { Now = new DateTimeOffset(2026, 12, 4, 22, 41, 7, TimeSpan.Zero) };
        var provider = new HangfireOutageLogProvider(written, time);
        var refused = await RefusedConnectionAsync();

        foreach (var process in new[] { "Worker #1", "Worker #2", "DelayedJobScheduler" })
        {
            provider.GetLogger("Hangfire.Processing.BackgroundExecution").Log(HangfireLogLevel.Error, () => $"Execution {process} is in the Failed state now", refused);
        }

        provider.GetLogger("Hangfire.Server.ServerHeartbeatProcess").Log(HangfireLogLevel.Warn, () => "Heartbeat failed", refused);
        provider.GetLogger("Hangfire.Processing.BackgroundExecution").Log(HangfireLogLevel.Error, () => "Execution Worker #3 failed", new InvalidOperationException("a bug of its own"));
        provider.GetLogger("Hangfire.Processing.BackgroundExecution").Log(HangfireLogLevel.Debug, () => "Execution Worker #4 retried", refused); // a level that is off
        Assert.Equal(
            [
                (HangfireLogLevel.Error, "Execution Worker #1 is in the Failed state now", false),
                (HangfireLogLevel.Warn, "Heartbeat failed", false),
                (HangfireLogLevel.Error, "Execution Worker #3 failed", true),
            ],
            written.Lines.Select(l => (l.Level, l.Message.Split(" (")[0], l.Exception is not null)));

        time.Now += HangfireOutageLogProvider.Quiet + TimeSpan.FromSeconds(1);
        provider.GetLogger("Hangfire.Processing.BackgroundExecution").Log(HangfireLogLevel.Error, () => "Execution Worker #2 is still in the Failed state", refused);

        var reminder = written.Lines[^1];
        Assert.StartsWith("Execution Worker #2 is still in the Failed state", reminder.Message, StringComparison.Ordinal);
        Assert.EndsWith("stack trace left out; 2 more such lines of Hangfire's left out since 22:41:07 UTC)", reminder.Message, StringComparison.Ordinal);
        Assert.Null(reminder.Exception);
    }

    /// <summary>A clock that moves only when the test moves it: the line names the second of the one before it.</summary>
    private sealed class HandClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>An inner Hangfire log provider that keeps what it is given to write, with Debug off.</summary>
    private sealed class WrittenLines : Hangfire.Logging.ILogProvider, Hangfire.Logging.ILog
    {
        public List<(HangfireLogLevel Level, string Message, Exception? Exception)> Lines { get; } = [];

        public Hangfire.Logging.ILog GetLogger(string name) => this;

        public bool Log(HangfireLogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            if (logLevel < HangfireLogLevel.Info)
            {
                return false;
            }

            if (messageFunc is not null)
            {
                Lines.Add((logLevel, messageFunc(), exception));
            }

            return true;
        }
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

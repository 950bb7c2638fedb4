using BatchOrchestrator.Persistence.Embedded;

namespace BatchOrchestrator.Worker.IntegrationTests.Faults;

/// <summary>
/// The embedded PostgreSQL's postmaster killed with SIGKILL under the running service: the service starts it again
/// on the same folder and port and gets ready again by itself, and a stop afterwards stops the server for good. When
/// it cannot be started again (its binaries gone), the service stops with exit code 1, for its supervisor to restart it.
/// </summary>
public sealed class EmbeddedServerKillFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    // The watch's interval, the server's crash recovery, and the service's retries against a database that was away.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    // In the temporary folder itself, not the content root (mode 700): as root the server runs as postgres, which must enter it.
    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), $"bo-embedded-kill-{Guid.NewGuid():N}");

    private string Cluster => Path.Combine(dataDirectory, "cluster");

    [Fact]
    public async Task ThePostmasterKilled_IsStartedAgainOnTheSamePort_TheServiceGetsReadyAgain_AndAStopStopsItForGood()
    {
        var logs = new CapturingSink();
        try
        {
            var host = await WorkerHost.StartAsync(Env.Root, Embedded(), logs);
            string connectionString;
            Postmaster killed;
            try
            {
                using var http = new HttpClient { BaseAddress = host.Address };
                connectionString = host.Services.GetRequiredService<EmbeddedPostgres>().ConnectionString;
                // Ready before the kill, so that ready again afterwards means the server came back (the first checks
                // may still be under way when the host has started, on a busy machine).
                await Eventually.WaitAsync(async () => await ReadyAsync(http) == HttpStatusCode.OK, Patience, "the service to be ready", every: TimeSpan.FromMilliseconds(200));
                killed = Postmaster.Find(Cluster) ?? throw new InvalidOperationException("no postmaster runs in " + Cluster);

                Process.GetProcessById(killed.Pid).Kill(); // SIGKILL: no shutdown, postmaster.pid left behind

                // The connection string (so the port) is the one the host was built with: ready means the server answers there.
                // The watch logs "serving again" once its own check of the new server is done, which may come after the
                // service's first ready answer: the wait includes it.
                await Eventually.WaitAsync(
                    async () => Postmaster.Find(Cluster) is { } again && again.Pid != killed.Pid && await ReadyAsync(http) == HttpStatusCode.OK
                        && logs.Lines.Any(l => l.Contains("is serving again", StringComparison.Ordinal)),
                    Patience,
                    "the embedded server to be started again and the service to be ready",
                    every: TimeSpan.FromMilliseconds(500));
                await QueryAsync(connectionString);
                Assert.Contains(logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains($"its postmaster (pid {killed.Pid}) has exited", StringComparison.Ordinal));
                Assert.Contains(logs.Lines, l => l.StartsWith("Information", StringComparison.Ordinal) && l.Contains("is serving again", StringComparison.Ordinal));
            }
            finally
            {
                await host.DisposeAsync();
            }

            // The stop has ended the watch before it stopped the server: nothing is left to start it again.
            Assert.Null(Postmaster.Find(Cluster));
            Assert.False(File.Exists(Path.Combine(Cluster, "postmaster.pid")), "the server's stop should remove postmaster.pid");
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => QueryAsync(connectionString));
            Assert.Single(logs.Lines, l => l.Contains("has exited; starting it again", StringComparison.Ordinal));
        }
        finally
        {
            StopWhatIsLeft();
        }
    }

    [Fact]
    public async Task ThePostmasterKilled_WithItsBinariesGone_StopsTheServiceWithExitCodeOne_SayingWhy()
    {
        // The service's binaries are links to the machine's, which the killer removes.
        var binaries = Path.Combine(Path.GetTempPath(), $"bo-embedded-bin-{Guid.NewGuid():N}");
        Directory.CreateDirectory(binaries);
        var machines = PostgresBinaries.Locate(null);
        foreach (var tool in new[] { "initdb", "pg_ctl", "postgres" })
        {
            File.CreateSymbolicLink(Path.Combine(binaries, tool), Path.Combine(machines, tool));
        }

        var settings = Embedded();
        settings["Verb:Name"] = "run";
        settings["Database:Embedded:BinDirectory"] = binaries;
        var logs = new CapturingSink();
        try
        {
            var (exitCode, _) = await WorkerHost.RunVerbAsync(
                Env.Root, settings, logs, s => s.AddHostedService(sp => new KillsTheServerAndItsBinaries(sp.GetRequiredService<IHostApplicationLifetime>(), Cluster, binaries)))
                .WaitAsync(Patience, Ct);

            Assert.Equal(1, exitCode);
            var fatal = Assert.Single(logs.Events, e => e.Level == LogEventLevel.Fatal);
            Assert.Contains("stopped and could not be started again (5 tries", fatal.RenderMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            Assert.Null(fatal.Exception); // the cause in one line; the host's lines with the stack trace are left out
        }
        finally
        {
            StopWhatIsLeft();
            Directory.Delete(binaries, recursive: true);
        }
    }

    private Dictionary<string, string?> Embedded()
    {
        var settings = Env.Settings();
        settings["Database:ConnectionString"] = "";
        settings["Database:Embedded:DataDirectory"] = dataDirectory;
        settings["Database:Embedded:Durable"] = "false";
        settings["Serilog:MinimumLevel:Override:BatchOrchestrator.Persistence.Embedded"] = "Information";
        return settings;
    }

    private static async Task<HttpStatusCode> ReadyAsync(HttpClient http) => (await http.GetAsync(new Uri("readyz", UriKind.Relative), Ct)).StatusCode;

    private static async Task QueryAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("select 1", connection);
        await command.ExecuteScalarAsync(Ct);
    }

    // A failed test may leave the server running: it must not outlive the test, nor keep the folder.
    private void StopWhatIsLeft()
    {
        if (Postmaster.Find(Cluster) is { } left)
        {
            Process.GetProcessById(left.Pid).Kill();
        }

        NpgsqlConnection.ClearAllPools();
        Directory.Delete(dataDirectory, recursive: true);
    }

    // Once the service is up: the binaries go, then the server.
    private sealed class KillsTheServerAndItsBinaries(IHostApplicationLifetime lifetime, string cluster, string binaries) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            var started = new TaskCompletionSource();
            await using (lifetime.ApplicationStarted.Register(started.SetResult))
            {
                await started.Task.WaitAsync(stoppingToken);
            }

            foreach (var tool in Directory.GetFiles(binaries))
            {
                File.Delete(tool);
            }

            Process.GetProcessById(Postmaster.Find(cluster)!.Pid).Kill();
        }
    }
}

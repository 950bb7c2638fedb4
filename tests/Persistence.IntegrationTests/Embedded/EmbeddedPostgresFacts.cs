using System.Diagnostics;
using System.Globalization;
using BatchOrchestrator.Persistence.Embedded;

namespace BatchOrchestrator.Persistence.IntegrationTests.Embedded;

public sealed class EmbeddedPostgresFacts
{
    [Fact]
    public void Locate_NamesTheSetting_WhenTheConfiguredFolderHasNoServerBinaries()
    {
        var error = Assert.Throws<EmbeddedPostgresException>(() => PostgresBinaries.Locate(Path.GetTempPath()));

        Assert.StartsWith("Database:Embedded:BinDirectory:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_KeepsItsDataAndPortAcrossRestarts_AndStopsTheServer()
    {
        var root = Path.Combine(Path.GetTempPath(), $"bo-embedded-{Guid.NewGuid():N}");
        var options = new EmbeddedPostgresOptions { DataDirectory = root, Durable = false };
        var first = new EmbeddedPostgres(options, NullLogger.Instance);
        await first.StartAsync(Ct);
        await ExecuteAsync(first.ConnectionString, "create table kept (id int); insert into kept values (42)");
        await first.StopAsync(Ct);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => ExecuteAsync(first.ConnectionString, "select 1"));

        var second = new EmbeddedPostgres(options, NullLogger.Instance);
        await second.StartAsync(Ct);
        try
        {
            Assert.Equal(new NpgsqlConnectionStringBuilder(first.ConnectionString).Port, new NpgsqlConnectionStringBuilder(second.ConnectionString).Port);
            await using var dataSource = NpgsqlDataSource.Create(second.ConnectionString);
            await using var command = dataSource.CreateCommand("select id from kept");
            Assert.Equal(42, await command.ExecuteScalarAsync(Ct));
        }
        finally
        {
            await second.StopAsync(CancellationToken.None);
            NpgsqlConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task APostmasterPidLeftByAKilledServer_NamingAnotherProgramNow_IsRemoved_AndTheServerStartsWithItsData()
    {
        // What a power loss leaves, with the dead server's id now another program's of the server's user (after a reboot,
        // a thread of the service itself may have it): a program that is not PostgreSQL, running as that user.
        var options = new EmbeddedPostgresOptions();
        using var other = Process.Start(Environment.IsPrivilegedProcess
            ? new ProcessStartInfo("setpriv", ["--reuid", options.RunAsUser, "--regid", options.RunAsUser, "--clear-groups", "sleep", "600"])
            : new ProcessStartInfo("sleep", ["600"]))!;
        try
        {
            await StartsOverAStalePidFileAsync(other.Id);
            Assert.False(other.HasExited); // left alone
        }
        finally
        {
            other.Kill();
        }
    }

    [Fact]
    public Task APostmasterPidLeftByAKilledServer_NamingAnotherClustersServerNow_IsRemoved_AndBothServe() =>
        BesideARunningServiceAsync(async (machines, machinesRoot) =>
        {
            // As root the embedded server runs as `postgres`, as the machine's own PostgreSQL does: after a reboot the dead
            // server's id may be one of that server's. Here another cluster's postmaster, of the same user, stands for it.
            await StartsOverAStalePidFileAsync(int.Parse(File.ReadLines(Path.Combine(machinesRoot, "cluster", "postmaster.pid")).First(), CultureInfo.InvariantCulture));
            await ExecuteAsync(machines.ConnectionString, "select 1"); // the other cluster's server left alone
        });

    [Fact]
    public Task ASecondServiceOnTheSameDataDirectory_IsRefusedNamingTheOwner_AndLeavesTheOwnersServerRunning() =>
        BesideARunningServiceAsync(async (owner, root) =>
        {
            var second = new EmbeddedPostgres(new EmbeddedPostgresOptions { DataDirectory = root, Durable = false }, NullLogger.Instance);

            var refused = await Record.ExceptionAsync(() => second.StartAsync(Ct));
            await second.StopAsync(CancellationToken.None); // what the host does on its way out

            await ExecuteAsync(owner.ConnectionString, "select 1");
            var error = Assert.IsType<EmbeddedPostgresException>(refused);
            Assert.Equal(
                $"Database:Embedded:DataDirectory: another BatchOrchestrator (pid {Environment.ProcessId}) is using '{root}' and its embedded PostgreSQL; "
                + "stop it first, or set Database:Embedded:DataDirectory to another folder",
                error.Message);
        });

    [Fact]
    public Task ACommandLineVerbBesideTheService_SharesItsServer_AndNeverStopsIt() =>
        BesideARunningServiceAsync(async (service, root) =>
        {
            var verb = new EmbeddedPostgres(new EmbeddedPostgresOptions { DataDirectory = root, Durable = false, StopIfFoundRunning = false }, NullLogger.Instance);

            await verb.StartAsync(Ct);
            await ExecuteAsync(verb.ConnectionString, "select 1");
            await verb.StopAsync(CancellationToken.None);

            await ExecuteAsync(service.ConnectionString, "select 1");
        });

    [Fact]
    public void APortTakenByAnotherProgram_IsRefusedBeforeAnythingStarts_NamingTheSetting()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var root = Directory.CreateTempSubdirectory("bo-embedded-port-").FullName;
        try
        {
            var server = new EmbeddedPostgres(new EmbeddedPostgresOptions { DataDirectory = root, Port = port }, NullLogger.Instance);

            var error = Assert.Throws<EmbeddedPostgresException>(() => server.ConnectionString);

            Assert.StartsWith($"Database:Embedded:Port: 127.0.0.1:{port} is in use by another program", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void AClusterOfAnotherUser_IsRefused_NamingItsOwnerAndTheSettings()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Skip("needs root, to give the folder to another user (CI runs as root)");
        }

        var root = Directory.CreateTempSubdirectory("bo-embedded-owner-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "cluster"));
            File.WriteAllText(Path.Combine(root, "cluster", "PG_VERSION"), "15\n");
            Assert.Equal(0, ProcessRunner.Run("chown", "-R", "nobody", root));
            var server = new EmbeddedPostgres(new EmbeddedPostgresOptions { DataDirectory = root }, NullLogger.Instance);

            var error = Assert.Throws<EmbeddedPostgresException>(() => server.ConnectionString);

            Assert.Equal(
                $"Database:Embedded:DataDirectory: the cluster in '{root}/cluster' belongs to user 'nobody', but the server would run as 'postgres'. "
                + "Run BatchOrchestrator as 'nobody' or set Database:Embedded:RunAsUser=nobody, or set Database:Embedded:DataDirectory to another folder",
                error.Message);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task TheServer_RunsWithoutTheServicesSecretsInItsEnvironment()
    {
        // The postmaster keeps the environment pg_ctl gave it for its whole life, readable in /proc by its user (as root:
        // 'postgres', whom another server on the machine may share). It held the API key, the webhook secret and settings.
        string[] names = ["LLAMA_CLOUD_API_KEY", "BATCHORCHESTRATOR_WEBHOOK_SECRET", "Webhooks__SigningSecret"];
        var before = names.ToDictionary(name => name, Environment.GetEnvironmentVariable);
        foreach (var name in names)
        {
            Environment.SetEnvironmentVariable(name, $"{name}-S3cretCANARY");
        }

        try
        {
            await BesideARunningServiceAsync(async (_, root) =>
            {
                var postmaster = Assert.IsType<Postmaster>(Postmaster.Find(Path.Combine(root, "cluster")));
                var environment = (await File.ReadAllTextAsync($"/proc/{postmaster.Pid}/environ", Ct)).Split('\0');

                Assert.Contains("LC_ALL=C.UTF-8", environment); // the right process, read whole
                Assert.DoesNotContain(environment, variable => variable.Contains("S3cretCANARY", StringComparison.Ordinal));
            });
        }
        finally
        {
            foreach (var (name, value) in before)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }

    /// <summary>Runs <paramref name="act"/> while a service's embedded server runs in a fresh data folder; stops it and removes the folder after.</summary>
    private static async Task BesideARunningServiceAsync(Func<EmbeddedPostgres, string, Task> act)
    {
        var root = Path.Combine(Path.GetTempPath(), $"bo-embedded-{Guid.NewGuid():N}");
        var service = new EmbeddedPostgres(new EmbeddedPostgresOptions { DataDirectory = root, Durable = false }, NullLogger.Instance);
        await service.StartAsync(Ct);
        try
        {
            await act(service, root);
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
            NpgsqlConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// A cluster with data, stopped, its <c>postmaster.pid</c> put back naming <paramref name="pid"/> as a power loss would
    /// leave it: a new start must remove the file with its warning and serve the data.
    /// </summary>
    private static async Task StartsOverAStalePidFileAsync(int pid)
    {
        var root = Path.Combine(Path.GetTempPath(), $"bo-embedded-stale-{Guid.NewGuid():N}");
        var pidFile = Path.Combine(root, "cluster", "postmaster.pid");
        var options = new EmbeddedPostgresOptions { DataDirectory = root, Durable = false };
        var first = new EmbeddedPostgres(options, NullLogger.Instance);
        await first.StartAsync(Ct);
        await ExecuteAsync(first.ConnectionString, "create table kept (id int); insert into kept values (42)");
        var lines = await File.ReadAllLinesAsync(pidFile, Ct);
        await first.StopAsync(Ct);
        await File.WriteAllLinesAsync(pidFile, [pid.ToString(CultureInfo.InvariantCulture), .. lines.Skip(1)], Ct);
        Assert.Equal(0, ProcessRunner.Run("chown", "--reference", Path.Combine(root, "cluster"), pidFile));
        var logs = new CapturingLoggerProvider();
        var second = new EmbeddedPostgres(options, logs.CreateLogger("embedded"));
        try
        {
            await second.StartAsync(Ct);

            await using var dataSource = NpgsqlDataSource.Create(second.ConnectionString);
            await using var command = dataSource.CreateCommand("select id from kept");
            Assert.Equal(42, await command.ExecuteScalarAsync(Ct));
            Assert.Contains(logs.Lines, l => l.Contains($"names pid {pid}, which another program has now; removing it", StringComparison.Ordinal));
        }
        finally
        {
            await second.StopAsync(CancellationToken.None);
            NpgsqlConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

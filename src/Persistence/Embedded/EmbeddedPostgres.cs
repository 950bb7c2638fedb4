using Microsoft.Extensions.Logging;

namespace BatchOrchestrator.Persistence.Embedded;

/// <summary>
/// A private PostgreSQL server started from the machine's binaries: created on first start in
/// <c>{DataDirectory}/cluster</c> with a generated password, listening on 127.0.0.1 only, reused if
/// it is still running from an earlier (crashed) start, started again should it stop while the service runs
/// (<see cref="KeepServingAsync"/>), and stopped with the service. One live service owns a data folder
/// (<see cref="DataDirectoryLock"/>); a second one is refused. The connection string is known before the
/// server starts, so everything can be wired up front.
/// </summary>
internal sealed class EmbeddedPostgres : IDisposable
{
    public const string DatabaseName = "batchorchestrator";
    private const string SuperUser = "batchorchestrator";
    private const string OurConf = "batchorchestrator.conf";

    // How often KeepServingAsync looks whether the server still runs: one read of /proc, nothing to an idle service.
    private static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(5);

    // Waits between tries to start again a server that stopped: a killed postmaster leaves its backends for a moment
    // and its process until its parent reaps it, and PostgreSQL refuses to start beside either; so the first tries
    // come soon, and the last gives up about 15 s after the first (binaries gone, a disk full: not for us to wait out).
    private static readonly TimeSpan[] StartAgainDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8)];

    private readonly EmbeddedPostgresOptions options;
    private readonly ILogger logger;
    private readonly Lazy<string> connectionString;
    private readonly string configuredRoot;

    // Taken by a stop and by a start after a crash, so a stop never runs beside a start (and never misses the server it starts).
    private readonly SemaphoreSlim serverGate = new(1, 1);

    private string? root;
    private string? binDirectory;
    private int port;
    private DataDirectoryLock? ownership;
    private bool foundRunning;
    private bool started;

    public EmbeddedPostgres(EmbeddedPostgresOptions options, ILogger logger)
    {
        this.options = options;
        this.logger = logger;
        configuredRoot = Path.GetFullPath(options.DataDirectory);
        connectionString = new Lazy<string>(Prepare);
    }

    /// <summary>Where the data is: the configured folder, or the fallback chosen when the server's user cannot reach it.</summary>
    public string Root => root ?? configuredRoot;

    private string Cluster => Path.Combine(Root, "cluster");

    private string PasswordFile => Path.Combine(Root, "password");

    private string LogFile => Path.Combine(Root, "postgres.log");

    private string? RunAs => Environment.IsPrivilegedProcess ? options.RunAsUser : null;

    public string ConnectionString => connectionString.Value;

    // The server this start stops at exit: the one it started, or found left over by a killed service. Not one a
    // command-line verb found running (the service's, or left over): that one is never stopped, nor started again.
    private bool OwnsServer => started && !(foundRunning && !options.StopIfFoundRunning);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _ = ConnectionString;
        // Taken before the cluster is even looked at, so two starts at once cannot both create or start it.
        ownership ??= DataDirectoryLock.TryTake(Root);
        if (ownership is null)
        {
            await ShareAsync(cancellationToken);
            return;
        }

        try
        {
            await StartOwnedAsync(cancellationToken);
        }
        catch when (!started)
        {
            ReleaseOwnership(); // nothing of ours runs: the next start may own the folder
            throw;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (ownership is null)
        {
            return; // the server is another instance's, or was never started
        }

        await serverGate.WaitAsync(CancellationToken.None); // a start after a crash that is under way ends first
        try
        {
            if (OwnsServer)
            {
                await StopServerAsync(cancellationToken);
            }
        }
        finally
        {
            started = false;
            ReleaseOwnership(); // after the server is down, so the next owner never finds it stopping
            serverGate.Release();
        }
    }

    /// <summary>
    /// Until <paramref name="stoppingToken"/> is cancelled, watches the server this start owns and, when it stops
    /// without being asked (its postmaster killed, or ended by the kernel's OOM killer), starts it again on the same
    /// folder and port; PostgreSQL recovers from its write-ahead log as after any crash. The rest of the service
    /// rides out the gap as it rides out any database outage. Cancel it before <see cref="StopAsync"/>, or that
    /// stop looks like a crash. When the server cannot be started again, logs it as critical and throws
    /// <see cref="EmbeddedPostgresException"/>: the service cannot go on without its database, and a supervisor
    /// restarting the whole process may do what a start here could not.
    /// </summary>
    public async Task KeepServingAsync(CancellationToken stoppingToken)
    {
        if (ownership is null || !OwnsServer)
        {
            return; // another instance's server, or one a verb only uses
        }

        var postmaster = Postmaster.Find(Cluster);
        if (postmaster is null)
        {
            logger.LogWarning(
                "Embedded PostgreSQL in {DataDirectory}: its postmaster cannot be found (no /proc, or no process named in postmaster.pid); it will not be started again should it stop",
                Root);
            return;
        }

        try
        {
            using var timer = new PeriodicTimer(WatchInterval);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (postmaster.IsRunning)
                {
                    continue;
                }

                logger.LogWarning(
                    "Embedded PostgreSQL in {DataDirectory} stopped unasked: its postmaster (pid {Pid}) has exited; starting it again on 127.0.0.1:{Port}",
                    Root, postmaster.Pid, port);
                postmaster = await StartAgainAsync(stoppingToken);
                if (postmaster is null)
                {
                    return; // stopped meanwhile
                }

                logger.LogInformation("Embedded PostgreSQL in {DataDirectory} is serving again on 127.0.0.1:{Port}", Root, port);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // the service is stopping; its stop stops the server
        }
    }

    public void Dispose() => serverGate.Dispose();

    private async Task StartOwnedAsync(CancellationToken cancellationToken)
    {
        var pgCtl = Path.Combine(binDirectory!, "pg_ctl");
        if (!File.Exists(Path.Combine(Cluster, "PG_VERSION")))
        {
            await InitializeClusterAsync(cancellationToken);
        }

        await WriteOurConfAsync(cancellationToken);
        var (status, _) = await ProcessRunner.RunAsync(pgCtl, ["status", "-D", Cluster], RunAs, cancellationToken);
        foundRunning = status == 0;
        if (foundRunning && !options.StopIfFoundRunning)
        {
            // A command-line verb with no service running: use the server left over, and leave it running.
            logger.LogDebug("Embedded PostgreSQL in {DataDirectory} is running; using it", Root);
        }
        else if (foundRunning)
        {
            // We hold the lock, so whoever started it has ended: it is ours now.
            logger.LogWarning("Embedded PostgreSQL in {DataDirectory} was still running (an earlier start did not stop it); reusing it", Root);
        }
        else
        {
            try
            {
                await ProcessRunner.RunCheckedAsync(pgCtl, ["start", "-w", "-t", "120", "-D", Cluster, "-l", LogFile], RunAs, cancellationToken);
            }
            catch (EmbeddedPostgresException ex)
            {
                throw new EmbeddedPostgresException($"{ex.Message} (the server's log: {LogFile}; set Database:ConnectionString to use another server)");
            }
        }

        started = true; // from here on, stopping the service stops the server (a later start-up failure included)
        await EnsureDatabaseAsync(cancellationToken);
        logger.LogInformation(
            "Embedded PostgreSQL from {BinDirectory} is serving {DataDirectory} on 127.0.0.1:{Port} (set Database:ConnectionString to use another server)",
            binDirectory, Root, port);
    }

    // Another live instance owns the folder: the service is refused before it touches anything; a
    // command-line verb beside that service uses its server, and never starts, changes or stops it.
    private async Task ShareAsync(CancellationToken cancellationToken)
    {
        var owner = DataDirectoryLock.Holder(Root) is { } pid ? $"another BatchOrchestrator (pid {pid})" : "another BatchOrchestrator";
        if (options.StopIfFoundRunning)
        {
            throw new EmbeddedPostgresException(
                $"Database:Embedded:DataDirectory: {owner} is using '{Root}' and its embedded PostgreSQL; stop it first, or set Database:Embedded:DataDirectory to another folder");
        }

        var (status, _) = await ProcessRunner.RunAsync(Path.Combine(binDirectory!, "pg_ctl"), ["status", "-D", Cluster], RunAs, cancellationToken);
        if (status != 0)
        {
            throw new EmbeddedPostgresException(
                $"Database:Embedded:DataDirectory: {owner} is using '{Root}', but its embedded PostgreSQL is not running (starting or stopping); try again in a moment");
        }

        logger.LogDebug("Embedded PostgreSQL in {DataDirectory} is running; using it", Root);
    }

    // Tries a few times: the first tries may meet what the dead server left (see StartAgainDelays). A server that
    // runs again meanwhile (started by hand) is taken as it is.
    private async Task<Postmaster?> StartAgainAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            string reason;
            await serverGate.WaitAsync(stoppingToken);
            try
            {
                stoppingToken.ThrowIfCancellationRequested();
                if (!started)
                {
                    return null;
                }

                if (Postmaster.Find(Cluster) is not { } running)
                {
                    // Not cut short by the stop (it waits for this instead): pg_ctl cut short could leave a postmaster starting that nobody stops.
                    await ProcessRunner.RunCheckedAsync(
                        Path.Combine(binDirectory!, "pg_ctl"), ["start", "-w", "-t", "120", "-D", Cluster, "-l", LogFile], RunAs, CancellationToken.None);
                    running = Postmaster.Find(Cluster) ?? throw new EmbeddedPostgresException("pg_ctl start succeeded, but no postmaster runs");
                }

                return running;
            }
            catch (Exception ex) when (ex is EmbeddedPostgresException or System.ComponentModel.Win32Exception)
            {
                reason = ex.Message; // Win32Exception: pg_ctl itself is gone (run without runuser)
            }
            finally
            {
                serverGate.Release();
            }

            if (attempt == StartAgainDelays.Length)
            {
                logger.LogCritical(
                    "Embedded PostgreSQL in {DataDirectory} stopped and could not be started again ({Tries} tries, the last: {Reason}; the server's log: {LogFile}); the service stops, for its supervisor to restart it",
                    Root, attempt + 1, reason, LogFile);
                throw new EmbeddedPostgresException($"the embedded PostgreSQL in '{Root}' stopped and could not be started again: {reason} (the server's log: {LogFile})");
            }

            logger.LogWarning(
                "Starting embedded PostgreSQL in {DataDirectory} again failed ({Reason}); trying again in {Delay}", Root, reason, StartAgainDelays[attempt]);
            await Task.Delay(StartAgainDelays[attempt], stoppingToken);
        }
    }

    private async Task StopServerAsync(CancellationToken cancellationToken)
    {
        int exitCode;
        string output;
        try
        {
            (exitCode, output) = await ProcessRunner.RunAsync(Path.Combine(binDirectory!, "pg_ctl"), ["stop", "-D", Cluster, "-m", "fast", "-w"], RunAs, cancellationToken);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            // pg_ctl itself is gone (binaries removed under the service; without runuser it is started directly):
            // the stop is told as one that failed, as runuser's own failure is, not thrown over the stop's other work.
            (exitCode, output) = (-1, ex.Message);
        }

        if (exitCode == 0)
        {
            logger.LogInformation("Embedded PostgreSQL stopped");
        }
        else
        {
            logger.LogWarning("Stopping embedded PostgreSQL failed: {Output}", output.Trim());
        }
    }

    private void ReleaseOwnership()
    {
        ownership?.Dispose();
        ownership = null;
    }

    // Decides the folder, the password and the port without starting anything.
    private string Prepare()
    {
        // Binaries first: without them nothing else is worth creating (not even a folder for the data).
        binDirectory = PostgresBinaries.Locate(options.BinDirectory);
        root = DataDirectoryPlacement.Resolve(configuredRoot, RunAs, logger);
        DataDirectoryPlacement.RequireOwnCluster(Cluster, RunAs);
        try
        {
            Directory.CreateDirectory(Root);
            ClusterPassword.Ensure(PasswordFile);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new EmbeddedPostgresException(
                $"Database:Embedded:DataDirectory: cannot write in '{Root}' ({ex.Message}); it belongs to another user. Run as that user, or set Database:Embedded:DataDirectory to a folder this user may write");
        }

        port = ClusterPort.Choose(options.Port, Cluster, OurConf);
        return new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Database = DatabaseName,
            Username = SuperUser,
            Password = File.ReadAllText(PasswordFile).Trim(),
            MaxPoolSize = 50,
        }.ConnectionString;
    }

    private async Task InitializeClusterAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Cluster);
        if (RunAs is { } user)
        {
            // initdb refuses to run as root; the cluster belongs to the unprivileged user instead.
            await ProcessRunner.RunCheckedAsync("chown", ["-R", $"{user}:", Root], null, cancellationToken);
        }

        await ProcessRunner.RunCheckedAsync(
            Path.Combine(binDirectory!, "initdb"),
            ["-D", Cluster, "-U", SuperUser, $"--pwfile={PasswordFile}", "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale", .. options.Durable ? Array.Empty<string>() : ["--no-sync"]],
            RunAs,
            cancellationToken);
        await File.AppendAllTextAsync(Path.Combine(Cluster, "postgresql.conf"), $"\ninclude_if_exists = '{OurConf}'\n", cancellationToken);
        logger.LogInformation("Created embedded PostgreSQL cluster in {Cluster}", Cluster);
    }

    private async Task WriteOurConfAsync(CancellationToken cancellationToken)
    {
        var durable = options.Durable ? "on" : "off";
        var path = Path.Combine(Cluster, OurConf);
        await File.WriteAllTextAsync(path, $"""
            {ClusterPort.Line(port)}
            # Written by BatchOrchestrator at each start: loopback only, no unix socket to place.
            listen_addresses = '127.0.0.1'
            unix_socket_directories = ''
            max_connections = 200
            fsync = {durable}
            synchronous_commit = {durable}
            full_page_writes = {durable}
            """, cancellationToken);
        if (RunAs is { } user)
        {
            await ProcessRunner.RunCheckedAsync("chown", [$"{user}:", path], null, cancellationToken);
        }
    }

    private async Task EnsureDatabaseAsync(CancellationToken cancellationToken)
    {
        var admin = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("select 1 from pg_database where datname = $1", connection);
        exists.Parameters.Add(new NpgsqlParameter<string> { TypedValue = DatabaseName });
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            await using var create = new NpgsqlCommand($"create database {DatabaseName}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}

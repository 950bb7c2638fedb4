using Microsoft.Extensions.Logging;

namespace BatchOrchestrator.Persistence.Embedded;

/// <summary>
/// A private PostgreSQL server started from the machine's binaries: created on first start in
/// <c>{DataDirectory}/cluster</c> with a generated password, listening on 127.0.0.1 only, reused if
/// it is still running from an earlier (crashed) start, and stopped with the service. One live
/// service owns a data folder (<see cref="DataDirectoryLock"/>); a second one is refused.
/// The connection string is known before the server starts, so everything can be wired up front.
/// </summary>
internal sealed class EmbeddedPostgres
{
    public const string DatabaseName = "batchorchestrator";
    private const string SuperUser = "batchorchestrator";
    private const string OurConf = "batchorchestrator.conf";

    private readonly EmbeddedPostgresOptions options;
    private readonly ILogger logger;
    private readonly Lazy<string> connectionString;
    private readonly string configuredRoot;
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

        try
        {
            if (started && !(foundRunning && !options.StopIfFoundRunning))
            {
                await StopServerAsync(cancellationToken);
            }
        }
        finally
        {
            started = false;
            ReleaseOwnership(); // after the server is down, so the next owner never finds it stopping
        }
    }

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

    private async Task StopServerAsync(CancellationToken cancellationToken)
    {
        var (exitCode, output) = await ProcessRunner.RunAsync(Path.Combine(binDirectory!, "pg_ctl"), ["stop", "-D", Cluster, "-m", "fast", "-w"], RunAs, cancellationToken);
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

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
internal sealed partial class EmbeddedPostgres : IDisposable
{
    public const string DatabaseName = "batchorchestrator";

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

    public void Dispose() => serverGate.Dispose();

    private async Task StartOwnedAsync(CancellationToken cancellationToken)
    {
        var pgCtl = Path.Combine(binDirectory!, "pg_ctl");
        if (!File.Exists(Path.Combine(Cluster, "PG_VERSION")))
        {
            await ClusterSetup.InitializeAsync(binDirectory!, Root, Cluster, PasswordFile, RunAs, options.Durable, logger, cancellationToken);
        }

        await ClusterSetup.WriteOurConfAsync(Cluster, port, options.Durable, RunAs, cancellationToken);
        ForgetPidFileOfAnotherProgram();
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
        await ClusterSetup.EnsureDatabaseAsync(ConnectionString, cancellationToken);
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

    // We hold the folder's lock, and the process postmaster.pid names is no PostgreSQL: the file is a dead server's. Left
    // in place, pg_ctl would take that process for the server running (and the service would wait on a server that never
    // answers), and PostgreSQL would refuse to start beside it, at every start until that program ends.
    private void ForgetPidFileOfAnotherProgram()
    {
        if (Postmaster.LeftNamingAnotherProgram(Cluster) is { } pid)
        {
            logger.LogWarning(
                "Embedded PostgreSQL in {DataDirectory}: postmaster.pid, left by a server that did not stop (a reboot, or kill -9), names pid {Pid}, which another program has now; removing it",
                Root, pid);
            try
            {
                File.Delete(Path.Combine(Cluster, "postmaster.pid"));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning("Could not remove {PidFile}: {Reason}", Path.Combine(Cluster, "postmaster.pid"), ex.Message); // pg_ctl's start says the rest
            }
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
        binDirectory = PostgresBinaries.ForCluster(binDirectory, options.BinDirectory, Cluster);
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

        port = ClusterPort.Choose(options.Port, Cluster, ClusterSetup.OurConf);
        return new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Database = DatabaseName,
            Username = ClusterSetup.SuperUser,
            Password = File.ReadAllText(PasswordFile).Trim(),
            MaxPoolSize = 50,
        }.ConnectionString;
    }
}

using Microsoft.Extensions.Logging;

namespace BatchOrchestrator.Persistence.Embedded;

/// <summary>Keeping the server this start owns serving: watched, and started again should it stop unasked.</summary>
internal sealed partial class EmbeddedPostgres
{
    // How often KeepServingAsync looks whether the server still runs: one read of /proc, nothing to an idle service.
    private static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(5);

    // Waits between tries to start again a server that stopped: a killed postmaster leaves its backends for a moment
    // and its process until its parent reaps it, and PostgreSQL refuses to start beside either; so the first tries
    // come soon, and the last gives up about 15 s after the first (binaries gone, a disk full: not for us to wait out).
    private static readonly TimeSpan[] StartAgainDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8)];

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

                ForgetPidFileOfAnotherProgram();
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
}

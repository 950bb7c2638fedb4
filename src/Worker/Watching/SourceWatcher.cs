using System.Collections.Concurrent;
using System.Threading.Channels;
using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Sources;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Watching;

/// <summary>
/// Turns file-system events into debounced runs. Events are only a hint (docs/architecture.md decision 9):
/// inotify is silent on NFS/SMB, drops events on overflow and can die quietly, so the scheduled scan
/// stays the truth. This loop only detects and enqueues; the run itself is a durable job. Every
/// <see cref="WatchOptions.FolderCheck"/> it also checks each folder is still the one watched (<see cref="WatchedFolder"/>).
/// </summary>
internal sealed class SourceWatcher(
    IOptions<SourcesOptions> sources,
    IOptions<WatchOptions> options,
    IPipelineScheduler scheduler,
    ServedQueues served,
    TimeProvider time,
    ILogger<SourceWatcher> logger) : BackgroundService
{
    // After a failed enqueue (Hangfire's storage, PostgreSQL, unreachable), how long the watcher waits before trying again.
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(5);

    // How often a burst is looked at while one is pending; with nothing pending the loop sleeps until an event.
    private static readonly TimeSpan BurstCheck = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<string, (DateTimeOffset First, DateTimeOffset Last)> pending = new(StringComparer.Ordinal);
    private readonly Channel<bool> events = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private DateTimeOffset notBefore;
    private int foldersDue;
    private bool failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A source on a queue this instance does not serve is another machine's folder: not watched here.
        var folders = sources.Value.Sources
            .Where(s => s.Watch && s.Layout != RemoteLayout.RemoteOnly && served.Touches(s))
            .Select(s => new WatchedFolder(s, Touch, CheckFoldersSoon, logger))
            .ToList();
        if (folders.Count == 0)
        {
            return;
        }

        // The folders are looked at on this timer's tick, in this loop, so attaching and detaching never race;
        // a tick is one stat per source every few seconds (the idle service's cost stays negligible).
        var every = options.Value.FolderCheck;
        using var folderCheck = time.CreateTimer(_ => CheckFoldersSoon(), null, every, every);
        try
        {
            CheckFolders(folders);
            while (!stoppingToken.IsCancellationRequested)
            {
                if (pending.IsEmpty)
                {
                    // Idle: only an event or the folder check's tick wakes the loop.
                    await events.Reader.ReadAsync(stoppingToken);
                }
                else
                {
                    await Task.Delay(BurstCheck, time, stoppingToken);
                }

                if (Interlocked.Exchange(ref foldersDue, 0) == 1)
                {
                    CheckFolders(folders);
                }

                EnqueueQuietSources();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
        finally
        {
            foreach (var folder in folders)
            {
                folder.Dispose();
            }
        }
    }

    private static void CheckFolders(List<WatchedFolder> folders)
    {
        foreach (var folder in folders)
        {
            folder.Check();
        }
    }

    private void CheckFoldersSoon()
    {
        Interlocked.Exchange(ref foldersDue, 1);
        events.Writer.TryWrite(true);
    }

    private void Touch(string source)
    {
        var now = time.GetUtcNow();
        pending.AddOrUpdate(source, (now, now), (_, burst) => (burst.First, now));
        events.Writer.TryWrite(true);
    }

    private void EnqueueQuietSources()
    {
        var now = time.GetUtcNow();
        if (now < notBefore)
        {
            return;
        }

        var settings = options.Value;
        foreach (var (source, burst) in pending)
        {
            if ((now - burst.Last >= settings.Debounce || now - burst.First >= settings.MaxDelay)
                && pending.TryRemove(new KeyValuePair<string, (DateTimeOffset, DateTimeOffset)>(source, burst)))
            {
                logger.LogDebug("Changes in {Source}; starting a run", source);
                try
                {
                    scheduler.EnqueueRun(source, RunTrigger.Watch);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The database is down (or configuration was reloaded invalid). Keep the hint and try again
                    // shortly; the service itself must not stop (a watcher's exception would end the host), and
                    // the schedule catches up anyway.
                    pending.AddOrUpdate(source, burst, (_, newer) => (burst.First, newer.Last));
                    notBefore = now + RetryAfterFailure;
                    if (!failing)
                    {
                        logger.LogWarning("Changes in {Source}, but could not start a run: {Reason}. Trying again every {Delay}", source, ex.GetBaseException().Message, RetryAfterFailure);
                    }

                    failing = true;
                    return;
                }

                if (failing)
                {
                    logger.LogInformation("Runs started by changes in watched folders work again");
                    failing = false;
                }
            }
        }
    }
}

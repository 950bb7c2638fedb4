using System.Collections.Concurrent;
using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Sources;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Watching;

/// <summary>
/// Turns file-system events into debounced runs. Events are only a hint (docs/architecture.md decision 9):
/// inotify is silent on NFS/SMB, drops events on overflow and can die quietly, so the scheduled scan
/// stays the truth. This loop only detects and enqueues; the run itself is a durable job.
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

    private readonly ConcurrentDictionary<string, (DateTimeOffset First, DateTimeOffset Last)> pending = new(StringComparer.Ordinal);
    private DateTimeOffset notBefore;
    private bool failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watchers = new List<FileSystemWatcher>();
        try
        {
            // A source on a queue this instance does not serve is another machine's folder: not watched here.
            foreach (var source in sources.Value.Sources.Where(s => s.Watch && s.Layout != RemoteLayout.RemoteOnly && served.Touches(s)))
            {
                try
                {
                    watchers.Add(Watch(source));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
                {
                    // inotify limits (max_user_instances/watches) or a vanished folder: events are only a
                    // hint, so the source keeps its scheduled scans and the host keeps running.
                    logger.LogWarning(ex, "Cannot watch {Path} for source {Source}; it is scanned on its schedule only", source.Path, source.Name);
                }
            }

            if (watchers.Count == 0)
            {
                return;
            }

            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250), time);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                EnqueueQuietSources();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
        finally
        {
            foreach (var watcher in watchers)
            {
                watcher.Dispose();
            }
        }
    }

    private FileSystemWatcher Watch(SourceOptions source)
    {
        var watcher = new FileSystemWatcher(source.Path)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.Size | NotifyFilters.LastWrite,
            InternalBufferSize = 64 * 1024,
        };
        FileSystemEventHandler changed = (_, _) => Touch(source.Name);
        watcher.Created += changed;
        watcher.Changed += changed;
        watcher.Deleted += changed;
        watcher.Renamed += (_, _) => Touch(source.Name);
        watcher.Error += (_, e) =>
        {
            // Overflow or a dead watch: events were lost, so look at everything now.
            logger.LogWarning(e.GetException(), "Watching {Source} lost events; scanning it in full", source.Name);
            Touch(source.Name);
        };
        watcher.EnableRaisingEvents = true;
        logger.LogInformation("Watching {Path} for changes to source {Source}", source.Path, source.Name);
        return watcher;
    }

    private void Touch(string source)
    {
        var now = time.GetUtcNow();
        pending.AddOrUpdate(source, (now, now), (_, burst) => (burst.First, now));
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

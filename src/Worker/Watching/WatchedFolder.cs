using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Worker.Watching;

/// <summary>
/// One source's folder and the watcher on it. A FileSystemWatcher holds on to the folder it was opened on, not
/// to the path: moved away, it keeps reporting from its new place; deleted, it says nothing
/// (docs/reliability.md §1.5). So <see cref="Check"/> compares the folder the path names now with the one being
/// watched, lets go of a lost one with a warning and watches the path again once a folder is back there.
/// </summary>
internal sealed class WatchedFolder(SourceOptions source, Action<string> touch, Action watchError, ILogger logger) : IDisposable
{
    private FileSystemWatcher? watcher;
    private FolderIdentity watched;
    private bool checkedBefore;
    private bool warned;

    /// <summary>Attaches, detaches or re-attaches as the folder at the source's path requires; a stat when nothing changed.</summary>
    public void Check()
    {
        var current = FolderIdentity.Of(source.Path);
        if (watcher is not null)
        {
            if (current == watched)
            {
                return;
            }

            Detach();
            if (current is null)
            {
                logger.LogWarning(
                    "Watched folder {Path} of source {Source} is gone (deleted, moved away or unmounted); its file events stop and its runs fail until a folder is there again, which is then watched",
                    source.Path, source.Name);
            }
            else
            {
                logger.LogWarning("Watched folder {Path} of source {Source} was replaced by another folder (moved away and made again); watching the new one", source.Path, source.Name);
            }

            warned = current is null;
        }

        if (current is { } folder)
        {
            Attach(folder);
        }
        else if (!checkedBefore)
        {
            logger.LogWarning("Cannot watch {Path} for source {Source}: no such folder; it is scanned on its schedule, and watched once the folder exists", source.Path, source.Name);
            warned = true;
        }

        checkedBefore = true;
    }

    public void Dispose() => Detach();

    private void Attach(FolderIdentity folder)
    {
        try
        {
            // The identity is read before the watcher opens the path: a folder swapped in between then differs at
            // the next check and is re-attached, instead of being taken for the one watched.
            watcher = Open();
            watched = folder;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // inotify limits (max_user_instances/watches) or a folder gone again: events are only a hint, so the
            // source keeps its scheduled scans and the host keeps running; the next check tries again.
            if (!warned)
            {
                logger.LogWarning(ex, "Cannot watch {Path} for source {Source}; it is scanned on its schedule only until watching works", source.Path, source.Name);
            }

            warned = true;
            return;
        }

        // Files may have arrived while nobody watched: a run now sees them rather than the next scheduled one. That holds
        // at start-up too: files dropped while the service was down or restarting sent no event to anyone, and with the
        // nightly schedule they would wait up to a day, while every file after them is taken within seconds.
        if (!checkedBefore)
        {
            logger.LogInformation("Watching {Path} for changes to source {Source}; starting a run for files that arrived while the service was not running", source.Path, source.Name);
        }
        else
        {
            logger.LogInformation("Watching {Path} for changes to source {Source} from now on; starting a run for files that arrived while it was not watched", source.Path, source.Name);
        }

        warned = false;
        touch(source.Name);
    }

    private FileSystemWatcher Open()
    {
        var opened = new FileSystemWatcher(source.Path)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.Size | NotifyFilters.LastWrite,
            InternalBufferSize = 64 * 1024,
        };
        try
        {
            // Events under names the scan never takes start no run; a rename counts when either name is taken
            // (a download renamed from '.report.pdf' to 'report.pdf' arrives by it).
            var filter = GlobFilter.For(source);
            FileSystemEventHandler changed = (_, e) =>
            {
                if (Concerns(filter, e.Name, e.ChangeType == WatcherChangeTypes.Deleted ? null : e.FullPath))
                {
                    touch(source.Name);
                }
            };
            opened.Created += changed;
            opened.Changed += changed;
            opened.Deleted += changed;
            opened.Renamed += (_, e) =>
            {
                if (Concerns(filter, e.Name, e.FullPath) || Concerns(filter, e.OldName, null))
                {
                    touch(source.Name);
                }
            };
            opened.Error += (_, e) =>
            {
                // Overflow or a dead watch: events were lost, so look at everything now, and at the folder itself.
                logger.LogWarning(e.GetException(), "Watching {Source} lost events; scanning it in full", source.Name);
                watchError();
                touch(source.Name);
            };
            opened.EnableRaisingEvents = true;
            return opened;
        }
        catch
        {
            opened.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether an event at a path may change what the scan takes. A name left out whole (hidden, or under an Exclude
    /// pattern) never does. A file the source leaves out (a temporary name, a name its patterns do not take) does not
    /// either, but a folder may hold files it takes, and one moved in arrives as a single event: so a name that is not
    /// taken as a file counts only when it is a folder (<paramref name="fullPath"/>), or when there is nothing left to
    /// look at (deleted or renamed away: it may have been a folder of taken files).
    /// </summary>
    private static bool Concerns(GlobFilter filter, string? name, string? fullPath)
    {
        if (name is null)
        {
            return true;
        }

        var relative = name.Replace(Path.DirectorySeparatorChar, '/');
        if (filter.LeavesOutWhollyByName(relative) || filter.LeavesOutWhollyByPatterns(relative))
        {
            return false;
        }

        return filter.Matches(relative) || fullPath is null || Directory.Exists(fullPath);
    }

    private void Detach()
    {
        watcher?.Dispose();
        watcher = null;
    }
}

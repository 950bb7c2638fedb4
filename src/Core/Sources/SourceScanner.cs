using System.Collections.Concurrent;
using System.Threading.Channels;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// The scan use case: walk the folder in byte order (streaming) and merge-join it with the stored
/// looks, hash only settled files whose size or mtime changed (bounded parallelism), turn unseen
/// content into file versions, and record a reason for every file that cannot be taken.
/// </summary>
internal sealed class SourceScanner(ISourceScanStore store, TimeProvider time, ILogger<SourceScanner> logger, PageReading? reading = null)
{
    private const int HashParallelism = 4;
    private const int WriteChunk = 1_000;

    public async Task<ScanSummary> ScanAsync(SourceOptions source, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(source.Path);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Source '{source.Name}': folder '{root}' does not exist or cannot be read");
        }

        var scanTime = time.GetUtcNow();
        var settledBefore = scanTime - source.SettleWindow;
        var maxFileBytes = source.EffectiveMaxFileBytes;
        var problems = new ScanProblemList();
        var walker = new SourceWalker(
            root, GlobFilter.For(source), source.Symlinks, maxFileBytes, problems.Add, source.MaxFileBytes is not null, markEmptyFolders: source.GuardsEmptiedSubfolders);
        var merged = await MergeWalkAsync(source, walker, scanTime, settledBefore, maxFileBytes, problems, cancellationToken);
        var tookNone = !walker.PatternsTookAFile && walker.FilesLeftOutByPatterns > 0;
        if (tookNone)
        {
            // Else such a source shows "no changes" at every run, as one that is up to date does.
            logger.LogWarning(
                "Source {Source}: its patterns (Include: {Include}; Exclude: {Exclude}) took none of the {Files} files in {Root}; check them against the names there (matched case-sensitively, docs/sources.md)",
                source.Name, Listed(source.Include, "everything"), Listed(source.Exclude, "none"), walker.FilesLeftOutByPatterns, root);
        }

        // With no settle window this look is the second one too: the looks it just stamped, at the walk's end, are hashed now.
        var hashFrom = source.SettleWindow > TimeSpan.Zero ? settledBefore : time.GetUtcNow();
        var (hashed, deferred, changed, gone, recorded) = await HashCandidatesAsync(source, root, hashFrom, maxFileBytes, problems, cancellationToken);
        var recordedGone = await RecordGoneAsync(source, root, gone, scanTime, cancellationToken);
        // Every scan, not only one that hashed: a version is skipped at upload, after the scan that made its copy.
        recorded += new HashesRecorded(await store.ReviveFromCopiesAsync(source.Name, cancellationToken), 0);
        await store.ReplaceProblemsAsync(source.Name, problems.Snapshot(), scanTime, cancellationToken);

        var summary = new ScanSummary(merged.Seen, merged.NewOrChanged, merged.Vanished + recordedGone, merged.Unsettled, hashed, recorded.NewVersions, deferred)
        {
            Problems = problems.Count,
            Copies = recorded.Copies,
            ChangedWhileHashing = changed,
            StillChanging = merged.StillChanging,
            LeftOutByPatternsTakingNone = tookNone ? walker.FilesLeftOutByPatterns : null,
        };
        logger.LogInformation(
            "Scanned {Source}: {Seen} files, {NewOrChanged} new or changed, {Vanished} gone, {Unsettled} still settling, {Hashed} hashed, {NewVersions} new versions, {Copies} with content known under another name (not sent again), {Problems} with problems",
            source.Name, summary.Seen, summary.NewOrChanged, summary.Vanished, summary.Unsettled, summary.Hashed, summary.NewVersions, summary.Copies, summary.Problems);
        return summary;
    }

    private static string Listed(List<string> patterns, string whenEmpty) =>
        patterns.Count == 0 ? whenEmpty : string.Join(", ", patterns.Select(p => $"'{p}'"));

    private Task<ObservationSummary> MergeWalkAsync(
        SourceOptions source, SourceWalker walker, DateTimeOffset scanTime, DateTimeOffset settledBefore, long maxFileBytes, ScanProblemList problems, CancellationToken cancellationToken) =>
        // The walk (file-system calls) runs on its own thread while this one reads PostgreSQL and merges.
        ScanMerger.MergeAsync(
            store, source.Name, BackgroundWalk.ItemsAsync(walker, cancellationToken), scanTime, time, settledBefore, maxFileBytes,
            // A walk that took nothing from a folder holding files it leaves out (hidden, excluded, odd) is no unmounted share.
            () => source.TreatEmptyFolderAsDeleted || walker.MetAnEntry, problems.Add, cancellationToken);

    /// <summary>
    /// Records as gone, as the next scan's walk would, the files deleted between this walk and their hash. Left with a look
    /// and no hash they read as settling: a mirror's batch waits for every file in the folder to be hashed, so one file
    /// deleted mid-scan held the whole mirror back until the next scheduled run (a night, for a source that is not watched).
    /// A folder left with no file at all is the walk's unmounted share (<see cref="ScanMerger"/>): its files are left to the
    /// next scan, which refuses to take that for their deletion.
    /// </summary>
    private async Task<int> RecordGoneAsync(SourceOptions source, string root, ConcurrentBag<string> gone, DateTimeOffset scanTime, CancellationToken cancellationToken)
    {
        if (gone.IsEmpty || !(source.TreatEmptyFolderAsDeleted || HoldsAFile(root)))
        {
            return 0;
        }

        // A share unmounted since the walk leaves an empty folder where its files were: the next walk names it (EmptiedFolder).
        var taken = gone.Where(path => !source.GuardsEmptiedSubfolders || !InAnEmptiedFolder(root, path)).ToList();
        await using var diff = store.BeginDiff(source.Name, scanTime);
        foreach (var path in taken)
        {
            await diff.VanishedAsync(path, cancellationToken);
        }

        await diff.CommitAsync(scanTime, cancellationToken);
        return taken.Count;
    }

    private static bool InAnEmptiedFolder(string root, string relativePath)
    {
        for (var folder = Path.GetDirectoryName(Path.Join(root, relativePath)); folder is not null && folder.Length > root.Length; folder = Path.GetDirectoryName(folder))
        {
            if (Directory.Exists(folder))
            {
                try
                {
                    return !Directory.EnumerateFileSystemEntries(folder).Any();
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    return false;
                }
            }
        }

        return false;
    }

    private async Task<(int Hashed, int Deferred, int Changed, ConcurrentBag<string> Gone, HashesRecorded Recorded)> HashCandidatesAsync(
        SourceOptions source, string root, DateTimeOffset settledBefore, long maxFileBytes, ScanProblemList problems, CancellationToken cancellationToken)
    {
        var hashed = 0;
        var deferred = 0;
        var changed = 0;
        var notOpened = 0;
        var gone = new ConcurrentBag<string>();
        var recorded = default(HashesRecorded);
        var results = Channel.CreateBounded<HashedFile>(WriteChunk * 2);
        // A failed write stops the hashing: left running, the hashers would fill the channel and wait on it for good, and the
        // source's lease, renewed meanwhile, would turn every later run of it away until the process restarted.
        using var writeFailed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writer = Task.Run(
            async () =>
            {
                try
                {
                    var chunk = new List<HashedFile>(WriteChunk);
                    await foreach (var file in results.Reader.ReadAllAsync(cancellationToken))
                    {
                        chunk.Add(file);
                        if (chunk.Count == WriteChunk)
                        {
                            recorded += await store.RecordHashesAsync(source.Name, source.EffectiveDedupeKey, source.Layout, chunk, cancellationToken);
                            chunk.Clear();
                        }
                    }

                    if (chunk.Count > 0)
                    {
                        recorded += await store.RecordHashesAsync(source.Name, source.EffectiveDedupeKey, source.Layout, chunk, cancellationToken);
                    }
                }
                catch
                {
                    await writeFailed.CancelAsync();
                    throw;
                }
            },
            cancellationToken);

        try
        {
            var candidates = store.ReadHashCandidatesAsync(source.Name, settledBefore, maxFileBytes, cancellationToken);
            await Parallel.ForEachAsync(
                candidates,
                new ParallelOptions { MaxDegreeOfParallelism = HashParallelism, CancellationToken = writeFailed.Token },
                async (candidate, ct) =>
                {
                    var (hash, miss) = await TryHashAsync(root, candidate, problems, ct);
                    if (miss == HashMiss.Gone)
                    {
                        gone.Add(candidate.RelativePath);
                        return;
                    }

                    if (hash is null)
                    {
                        // Unreadable, or changed since the look: the next scan looks again.
                        Interlocked.Increment(ref deferred);
                        Interlocked.Add(ref changed, miss == HashMiss.Changed ? 1 : 0);
                        return;
                    }

                    Interlocked.Increment(ref hashed);
                    // Pages are counted only for what was just hashed (new or changed content), right after
                    // the hash while the file is in the page cache; unchanged files are never opened.
                    var pages = PageCounter.Count(Path.Combine(root, candidate.RelativePath), reading);
                    if (pages.NotOpened)
                    {
                        // No reader was free: that is the readers' state, not this file's, and it holds for every document
                        // until one ends, so one warning per scan says it, not one per file.
                        if (Interlocked.Increment(ref notOpened) == 1)
                        {
                            logger.LogWarning(
                                "Pages of documents in {Root} not counted while readers run past their time limit; estimated high by their size, from {Path}: {Basis}",
                                root, candidate.RelativePath, pages.Basis);
                        }
                    }
                    else if (pages.Failed)
                    {
                        // Once per content: a file is counted only when it is hashed (docs/costs.md, "Pages").
                        logger.LogWarning(
                            "Pages of {Path} in {Root} not counted; estimated at {Pages} by its size: {Basis}", candidate.RelativePath, root, pages.Pages, pages.Basis);
                    }

                    await results.Writer.WriteAsync(new HashedFile(candidate, hash, pages), ct);
                });
        }
        catch (OperationCanceledException) when (writeFailed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The write's own failure is thrown below.
        }
        finally
        {
            results.Writer.TryComplete();
        }

        await writer;
        return (hashed, deferred, changed, gone, recorded);
    }

    /// <summary>The file's hash, or null with why not: there but changed since the look, deleted, or out of reach or unreadable.</summary>
    private async Task<(byte[]? Hash, HashMiss Miss)> TryHashAsync(string root, FileObservation candidate, ScanProblemList problems, CancellationToken cancellationToken)
    {
        var fullPath = Path.Combine(root, candidate.RelativePath);
        try
        {
            var now = FileStamp.Read(fullPath);
            if (!now.Exists)
            {
                // Deleted is recorded as gone now. Out of reach (a folder without search permission, a link to nothing) is
                // no change to wait for either, but neither is it gone: a settle run for it would come back every window.
                return (null, IsGone(fullPath) ? HashMiss.Gone : HashMiss.Unreadable);
            }

            if (!now.Matches(candidate))
            {
                // Changed since the look: the next scan starts its settle period again.
                return (null, HashMiss.Changed);
            }

            var hash = await ContentHasher.HashAsync(fullPath, candidate, cancellationToken);
            return (hash, hash is null ? HashMiss.Changed : HashMiss.None);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Cannot read {Path} in {Root}: {Reason}", candidate.RelativePath, root, ex.Message);
            problems.Add(new ScanProblem(candidate.RelativePath, ScanProblemKind.Unreadable, ex is UnauthorizedAccessException
                ? $"cannot be read ({ex.Message}); give the service read access: the next scan takes it"
                : $"cannot be read: {ex.Message}; the next scan tries again"));
            return (null, HashMiss.Unreadable);
        }
    }

    // No entry at the path itself (ENOENT, read by .NET as attributes of all bits set), where a folder on the way that
    // cannot be searched throws (EACCES) and a dangling link has attributes of its own.
    private static bool IsGone(string fullPath)
    {
        try
        {
            return new FileInfo(fullPath).Attributes == (FileAttributes)(-1);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // A root gone itself (a folder below a mount point that went) holds nothing: the next scan says so.
    private static bool HoldsAFile(string root)
    {
        try
        {
            return Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 }).Any();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private enum HashMiss
    {
        None,
        Changed,
        Gone,
        Unreadable,
    }
}

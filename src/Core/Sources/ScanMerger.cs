using System.Globalization;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// Compares a walk with the stored looks as a merge join: both come in UTF-8 byte order of the path,
/// so one pass over the two streams finds every new, changed and vanished path while holding a single
/// row of each. Only differences are written; an unchanged scan is one sequential read.
/// </summary>
internal static class ScanMerger
{
    public static async Task<ObservationSummary> MergeAsync(
        ISourceScanStore store,
        string source,
        IAsyncEnumerable<WalkItem> walk,
        DateTimeOffset scanTime,
        TimeProvider time,
        DateTimeOffset settledBefore,
        long maxFileBytes,
        Func<bool> takeAnEmptyWalkAsDeletion,
        Action<ScanProblem> report,
        CancellationToken cancellationToken)
    {
        // With a settle window, a new look needs a second one later; without, this look is both.
        var needsSecondLook = scanTime > settledBefore;
        bool Takeable(long size) => size > 0 && size <= maxFileBytes;

        int seen = 0, newOrChanged = 0, vanished = 0, unsettled = 0, stillChanging = 0, keptUnderEmptyFolders = 0;
        string? previous = null;
        await using var diff = store.BeginDiff(source, scanTime);
        await using var stored = store.ReadLooksAsync(source, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using var walked = walk.GetAsyncEnumerator(cancellationToken);
        var (haveWalked, haveStored) = await BackgroundWalk.FirstStepBesideAsync(walked, stored.MoveNextAsync);
        while (haveStored || haveWalked)
        {
            if (haveWalked && walked.Current.IsUnreadableFolder)
            {
                // Rows before the folder are handled as usual; rows under it are left exactly as they were.
                var prefix = walked.Current.RelativePath;
                while (haveStored && Utf8Order.Compare(stored.Current.RelativePath, prefix) < 0)
                {
                    vanished += await VanishAsync(diff, stored.Current, cancellationToken);
                    haveStored = await stored.MoveNextAsync();
                }

                var kept = 0;
                while (haveStored && stored.Current.RelativePath.StartsWith(prefix, StringComparison.Ordinal))
                {
                    kept += stored.Current.Deleted ? 0 : 1;
                    haveStored = await stored.MoveNextAsync();
                }

                if (walked.Current.IsEmptyFolder && kept > 0)
                {
                    // Taken for deleted, a mirror's copies would go and be uploaded, and billed, again once the share is back.
                    keptUnderEmptyFolders += kept;
                    report(new ScanProblem(prefix[..^1], ScanProblemKind.EmptiedFolder, string.Create(
                        CultureInfo.InvariantCulture,
                        $"the folder is empty, but {kept} files were known in it; they are kept, not taken as deleted, as an unmounted share looks the same. If they were removed on purpose, remove the folder too, or run once with TreatEmptyFolderAsDeleted set on the source (or GuardEmptiedSubfolders off)")));
                }

                haveWalked = await walked.MoveNextAsync();
                continue;
            }

            var order = !haveWalked ? 1 : !haveStored ? -1 : Utf8Order.Compare(walked.Current.RelativePath, stored.Current.RelativePath);
            if (order > 0)
            {
                vanished += await VanishAsync(diff, stored.Current, cancellationToken);
                haveStored = await stored.MoveNextAsync();
                continue;
            }

            var look = walked.Current;
            if (previous is not null && Utf8Order.Compare(previous, look.RelativePath) >= 0)
            {
                // The join is only right over sorted input; a bug here must not turn into deletions.
                throw new InvalidOperationException($"The walk of '{source}' is out of order at '{look.RelativePath}'");
            }

            previous = look.RelativePath;
            seen++;
            if (order < 0 || stored.Current.Deleted || stored.Current.Size != look.Size || stored.Current.MtimeTicks != look.MtimeTicks)
            {
                await diff.UpsertAsync(new FileObservation(look.RelativePath, look.Size, look.MtimeTicks), cancellationToken);
                newOrChanged++;
                unsettled += needsSecondLook && Takeable(look.Size) ? 1 : 0;
                if (needsSecondLook && order == 0 && stored.Current is { Deleted: false, Hashed: false, Voided: false } earlier && Takeable(earlier.Size) && Takeable(look.Size))
                {
                    // Changed again before it ever settled: a file written to without end (a log, a database, a disk image)
                    // would otherwise never be taken, and nothing would name it. Not a look the upload step voided: that is its
                    // mark, not a change, and a file edited once before its upload was named as still being written.
                    stillChanging++;
                    report(new ScanProblem(look.RelativePath, ScanProblemKind.StillChanging, string.Create(
                        CultureInfo.InvariantCulture,
                        $"still being written: it changed again since the last look, and is taken once unchanged for {scanTime - settledBefore} (SettleWindow)")));
                }
            }
            else if (!stored.Current.Hashed && stored.Current.FirstSeenAt > settledBefore && Takeable(look.Size))
            {
                unsettled++;
            }

            haveStored = order == 0 ? await stored.MoveNextAsync() : haveStored;
            haveWalked = await walked.MoveNextAsync();
        }

        if (seen == 0 && vanished + keptUnderEmptyFolders > 0 && !takeAnEmptyWalkAsDeletion())
        {
            // Disposing the diff without committing keeps every stored look as it was.
            throw new EmptyFolderException(
                $"Source '{source}': the folder is empty, but {vanished + keptUnderEmptyFolders} files were known in it. This scan is not taken as "
                + "their deletion: an unmounted share or a detached disk looks like this. If they were removed on purpose, "
                + "run once with TreatEmptyFolderAsDeleted set on the source.");
        }

        // Stamped with the walk's end, not its start: a look taken late in a long walk (a slow share) and stamped with the
        // start would count as settled a walk's length too soon, and a copy stalled that long be taken half-written.
        await diff.CommitAsync(time.GetUtcNow(), cancellationToken);
        return new ObservationSummary(seen, newOrChanged, vanished, unsettled) { StillChanging = stillChanging };
    }

    private static async ValueTask<int> VanishAsync(IScanDiffWriter diff, StoredLook look, CancellationToken cancellationToken)
    {
        if (look.Deleted)
        {
            return 0;
        }

        await diff.VanishedAsync(look.RelativePath, cancellationToken);
        return 1;
    }
}

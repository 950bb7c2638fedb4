using BatchOrchestrator.Core.Costs;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Planning;

/// <summary>
/// The plan of a source's next run, without uploading or changing anything: the folder is walked and
/// compared with the stored looks (read only), pages are counted for the files that would be hashed,
/// the caps' use is read, and <see cref="CostPlan.Allocate"/> says what would be taken and held. No row
/// is written; the only API call is a tier look-up the cache cannot answer (and its answer is not kept).
/// </summary>
internal sealed class PlanPreview(
    ISourceScanStore looks,
    IPlanPreviewStore store,
    CostBudget budget,
    PriceModel prices,
    ProjectScopes scopes,
    IOptions<PipelineOptions> pipeline,
    IOptions<UploadRateLimitOptions> uploads,
    TimeProvider time,
    PageReading? reading = null)
{
    /// <summary>
    /// What a plan of a RemoteOnly source can say instead of figures: its directory is LlamaCloud's, not listed here,
    /// so nothing about it is counted (docs/sources.md, "Remote layouts"). Null for any other layout.
    /// </summary>
    public static string? RemoteOnlyNote(SourceOptions source) => source.Layout != RemoteLayout.RemoteOnly
        ? null
        : $"{source.Name} is RemoteOnly: a run sends one batch over directory {source.RemoteDirectoryId} as it stands, and LlamaCloud parses and bills every file in it, "
          + "unless its latest batch completed over the same files at the same configuration, and none while a batch over it LlamaCloud may have made waits to be looked for "
          + "('unconfirmed-batch' in status). Its files carry no size or page count, so nothing is estimated "
          + "or reserved (no cap may cover it); their results are recorded as job references (orchestrator.batch_result) and reach no sink, since no file of ours names them.";

    public async Task<PlanReport> PreviewAsync(SourceOptions source, CancellationToken cancellationToken)
    {
        // The reads do not depend on one another: the waiting versions and the caps' use are read while the
        // folder is walked and compared, each on its own connection.
        var costing = CostAsync(source, cancellationToken);
        var pending = store.PendingAsync(source.Name, source.MaxAttempts, cancellationToken);
        var comparing = source.Layout == RemoteLayout.RemoteOnly ? Task.FromResult(new DiskLook(0, 0, [], [], [])) : CompareAsync(source, cancellationToken);
        var mirroring = source.Layout == RemoteLayout.Mirror ? store.MirrorAsync(source.Name, cancellationToken) : Task.FromResult(new MirrorLook([], 0));
        await Task.WhenAll(costing, pending, comparing, mirroring);
        var (cost, used) = await costing;
        var waiting = await pending;
        var disk = await comparing;
        var candidates = new List<PlanCandidate>(waiting.Count + disk.Takeable.Count);
        candidates.AddRange(waiting);
        candidates.AddRange(disk.Takeable.Select((f, i) => new PlanCandidate(-1 - i, f.Path, f.Size, f.Pages, false, false)));
        Allocation allocation, everything;
        int batches, uploaded;
        if (source.Layout == RemoteLayout.Mirror)
        {
            (allocation, everything) = Mirror(cost, candidates, disk, await mirroring, used);
            batches = allocation.Taken.Count > 0 ? 1 : 0;
            uploaded = batches * candidates.Count; // the copies already in the directory are batched again, not sent
        }
        else
        {
            allocation = cost.Allocate(candidates, used);
            // Without caps nothing is held, so the allocation is already the whole of it.
            everything = cost.Caps.Count == 0 ? allocation : cost.Uncapped.Allocate(candidates, []);
            batches = allocation.Taken.GroupBy(r => r.Escalation).Sum(g => (g.Count() + pipeline.Value.MaxFilesPerBatch - 1) / pipeline.Value.MaxFilesPerBatch);
            uploaded = allocation.Taken.Count;
        }

        var taken = allocation.Taken.Count;
        var perSecond = uploads.Value.PermitLimit <= 0 ? 0 : uploads.Value.PermitLimit * uploads.Value.Headroom / uploads.Value.Window.TotalSeconds;
        var credits = everything.Taken.Sum(r => r.Credits);
        return new PlanReport(
            source.Name,
            cost.Primary,
            disk.Seen,
            disk.Unchanged,
            disk.Takeable.Count,
            disk.Settling.Count,
            SettlingCredits(cost, disk),
            waiting.Count,
            everything.Taken.Sum(r => (long)r.Pages),
            credits,
            prices.Usd(credits),
            taken,
            allocation.Taken.Sum(r => r.Credits),
            allocation.Held.Count,
            allocation.Held.Count > 0 ? allocation.Held[0].Reason : null,
            allocation.Held.Count > 0 ? allocation.Held[0].Cap : null,
            batches,
            perSecond > 0 ? TimeSpan.FromSeconds(uploaded / perSecond) : TimeSpan.Zero,
            [.. cost.Caps.Select((c, i) => (c, used[i]))])
        {
            SetAside = disk.SetAside,
        };
    }

    /// <summary>
    /// What the files still settling would cost, apart from the run's own figures: a file is taken only once two looks a
    /// settle window apart agree, so the run after the next look takes them (a nightly source's new files are all
    /// settling when planned, and its plan would otherwise show nothing to pay for what its run will send).
    /// </summary>
    private static decimal SettlingCredits(CostPlan cost, DiskLook disk) =>
        cost.Uncapped.Allocate([.. disk.SettlingFiles.Select((f, i) => new PlanCandidate(-1 - i, f.Path, f.Size, f.Pages, false, false))], []).Taken.Sum(r => r.Credits);

    /// <summary>
    /// A mirror's next batch as planning would make it (docs/sources.md, "Remote layouts"): none while a file of the
    /// mirror is changing or when nothing would be sent (copies of deleted files are removed without a parse);
    /// otherwise every file the directory will hold, those sent and those already there, reserved whole or held
    /// whole (<see cref="CostPlan.AllocateWhole"/>).
    /// </summary>
    private static (Allocation Capped, Allocation Everything) Mirror(CostPlan cost, List<PlanCandidate> toSend, DiskLook disk, MirrorLook mirror, IReadOnlyList<decimal> used)
    {
        var changed = disk.Takeable.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        // Copies of files changed or gone on disk since the last scan are replaced or deleted by the run's scan.
        var kept = mirror.Current.Where(c => !changed.Contains(c.RelativePath) && !disk.Vanished.Contains(c.RelativePath)).ToList();
        var waits = mirror.Changing > 0 || mirror.Current.Any(c => disk.Settling.Contains(c.RelativePath));
        if (waits || toSend.Count == 0)
        {
            Allocation none = new([], []);
            return (none, none);
        }

        return (cost.AllocateWhole(toSend, kept, used), cost.Uncapped.AllocateWhole(toSend, kept, []));
    }

    private async Task<(CostPlan Cost, IReadOnlyList<decimal> Used)> CostAsync(SourceOptions source, CancellationToken cancellationToken)
    {
        var cost = await budget.PlanAsync(source, scopes.For(source), PriceRead.Preview, cancellationToken);
        var (caps, used) = await store.CapUseAsync(cost.Caps, budget.Zone, cancellationToken);
        return (cost with { Caps = caps }, used);
    }

    /// <summary>The walk against the stored looks, as the scan's merge does it (the walk on its own thread), but writing nothing.</summary>
    private async Task<DiskLook> CompareAsync(SourceOptions source, CancellationToken cancellationToken)
    {
        await Task.Yield(); // the merge runs beside the other reads, not before them
        var root = Path.GetFullPath(source.Path);
        var settledBefore = time.GetUtcNow() - source.SettleWindow;
        var maxBytes = source.EffectiveMaxFileBytes;
        var walker = new SourceWalker(root, GlobFilter.For(source), source.Symlinks, maxBytes, _ => { }, markEmptyFolders: source.GuardsEmptiedSubfolders);
        int seen = 0, unchanged = 0, setAside = 0;
        var takeable = new List<(string Path, long Size, int? Pages)>();
        var settling = new HashSet<string>(StringComparer.Ordinal);
        var settlingFiles = new List<(string Path, long Size, int? Pages)>();
        var vanished = new HashSet<string>(StringComparer.Ordinal);
        string? matched = null; // the last path walked: its stored look, passed over next, is not gone
        await using var stored = looks.ReadLooksAsync(source.Name, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using var walked = BackgroundWalk.ChunksAsync(walker, cancellationToken).GetAsyncEnumerator(cancellationToken);
        var (haveChunk, haveStored) = await BackgroundWalk.FirstStepBesideAsync(walked, stored.MoveNextAsync);
        for (; haveChunk; haveChunk = await walked.MoveNextAsync())
        {
            foreach (var item in walked.Current)
            {
                if (item.IsUnreadableFolder)
                {
                    // As the merge: what was known under a folder it cannot read, or one emptied (a share not mounted), is kept.
                    while (haveStored && Utf8Order.Compare(stored.Current.RelativePath, item.RelativePath) < 0)
                    {
                        Vanished(stored.Current, matched, vanished);
                        haveStored = await stored.MoveNextAsync();
                    }

                    while (haveStored && stored.Current.RelativePath.StartsWith(item.RelativePath, StringComparison.Ordinal))
                    {
                        haveStored = await stored.MoveNextAsync();
                    }

                    continue;
                }

                while (haveStored && Utf8Order.Compare(stored.Current.RelativePath, item.RelativePath) < 0)
                {
                    Vanished(stored.Current, matched, vanished);
                    haveStored = await stored.MoveNextAsync();
                }

                seen++;
                var look = haveStored && stored.Current.RelativePath == item.RelativePath && !stored.Current.Deleted ? stored.Current : (StoredLook?)null;
                matched = item.RelativePath;
                var same = look is { } known && known.Size == item.Size && known.MtimeTicks == item.MtimeTicks;
                if (same && look!.Value.Hashed)
                {
                    unchanged++;
                }
                else if (item.Size <= 0 || item.Size > maxBytes)
                {
                    setAside++; // set aside by the scan with a reason
                }
                else if (same ? look!.Value.FirstSeenAt <= settledBefore : source.SettleWindow <= TimeSpan.Zero)
                {
                    // Hashed (and so counted) by the next run: count it the same way now.
                    takeable.Add((item.RelativePath, item.Size, PageCounter.Count(Path.Combine(root, item.RelativePath), reading).Pages));
                }
                else
                {
                    settling.Add(item.RelativePath);
                    settlingFiles.Add((item.RelativePath, item.Size, PageCounter.Count(Path.Combine(root, item.RelativePath), reading).Pages));
                }
            }
        }

        for (; haveStored; haveStored = await stored.MoveNextAsync())
        {
            Vanished(stored.Current, matched, vanished);
        }

        // Files seen as the run counts them (what the walk yields): a link skipped, a named pipe or a folder it cannot read is
        // passed over by the walk, counted by neither, and listed on the Sources page with its reason.
        return new DiskLook(seen, unchanged, settling, takeable, vanished) { SettlingFiles = settlingFiles, SetAside = setAside };
    }

    private static void Vanished(StoredLook look, string? walked, HashSet<string> vanished)
    {
        if (!look.Deleted && look.RelativePath != walked)
        {
            vanished.Add(look.RelativePath); // known, and not on disk any more: the run's scan marks it deleted
        }
    }

    private sealed record DiskLook(
        int Seen, int Unchanged, HashSet<string> Settling, List<(string Path, long Size, int? Pages)> Takeable, HashSet<string> Vanished)
    {
        public List<(string Path, long Size, int? Pages)> SettlingFiles { get; init; } = [];

        public int SetAside { get; init; }
    }
}

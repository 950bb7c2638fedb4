namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// What a scan reads and writes: the last look at every path, the file versions, and the problems.
/// The comparison of a walk with the stored looks happens in Core (<see cref="ScanMerger"/>), as a
/// merge join of two streams in the same order; the store only streams rows out and differences in.
/// </summary>
internal interface ISourceScanStore
{
    /// <summary>Every stored look of the source (deleted ones included), in UTF-8 byte order of the path.</summary>
    IAsyncEnumerable<StoredLook> ReadLooksAsync(string source, CancellationToken cancellationToken);

    /// <summary>
    /// A writer for one scan's differences, applied in bulk and atomically by <see cref="IScanDiffWriter.CommitAsync"/>.
    /// Opens nothing until the first difference, so an unchanged scan writes nothing.
    /// </summary>
    IScanDiffWriter BeginDiff(string source, DateTimeOffset scanTime);

    /// <summary>Settled paths (unchanged since <paramref name="settledBefore"/> or earlier) of 1 to <paramref name="maxFileBytes"/> bytes whose content is not hashed yet.</summary>
    IAsyncEnumerable<FileObservation> ReadHashCandidatesAsync(string source, DateTimeOffset settledBefore, long maxFileBytes, CancellationToken cancellationToken);

    /// <summary>
    /// Stores content hashes and creates a file version (with its pages) for each dedupe key not seen before; a path
    /// whose content is a version under another name is recorded as a copy of that version instead. A mirror's
    /// (<paramref name="layout"/>) content whose remote copy it removed comes back as new: the mirror must hold it again.
    /// </summary>
    Task<HashesRecorded> RecordHashesAsync(string source, DedupeKey key, RemoteLayout layout, IReadOnlyList<HashedFile> files, CancellationToken cancellationToken);

    /// <summary>
    /// Brings back each skipped version whose own path no longer holds its content while a copy's path still does:
    /// the version moves to that path and goes back to the queue (as <see cref="RecordHashesAsync"/> does when the
    /// content is hashed again), so content last seen under a copy's name is not left unprocessed. Returns how many.
    /// </summary>
    Task<int> ReviveFromCopiesAsync(string source, CancellationToken cancellationToken);

    /// <summary>Makes the source's problems those of this scan (a problem seen before keeps its first_seen_at).</summary>
    Task ReplaceProblemsAsync(string source, IReadOnlyList<ScanProblem> problems, DateTimeOffset scanTime, CancellationToken cancellationToken);
}

/// <summary>The differences of one scan; disposing without committing discards them.</summary>
internal interface IScanDiffWriter : IAsyncDisposable
{
    /// <summary>A new path, a changed size or mtime, or a path back after being deleted: its settle clock starts now.</summary>
    ValueTask UpsertAsync(FileObservation observation, CancellationToken cancellationToken);

    /// <summary>A stored path the walk did not see.</summary>
    ValueTask VanishedAsync(string relativePath, CancellationToken cancellationToken);

    /// <summary>
    /// Applies the differences; <paramref name="lookedAt"/> is when the walk ended, the time the new and changed looks are
    /// stamped with: their settle window counts from it, since the walk may have read a file that long after it began.
    /// </summary>
    Task CommitAsync(DateTimeOffset lookedAt, CancellationToken cancellationToken);
}

/// <summary>A stored look at one path.</summary>
internal readonly record struct StoredLook(string RelativePath, long Size, long MtimeTicks, DateTimeOffset FirstSeenAt, bool Hashed, bool Deleted)
{
    /// <summary>
    /// The mtime the upload step stores over a look whose file it found changed (no file has it), so that the next scan takes the
    /// path as changed and hashes it again (NpgsqlUploadStore.MarkNotUploadedAsync).
    /// </summary>
    public const long VoidedMtime = -1;

    /// <summary>Voided by the upload step (<see cref="VoidedMtime"/>): a look to start the settle window from, not a change seen.</summary>
    public bool Voided => MtimeTicks == VoidedMtime;
}

/// <summary>Counts from one merge.</summary>
internal sealed record ObservationSummary(int Seen, int NewOrChanged, int Vanished, int Unsettled)
{
    /// <summary>Of <see cref="Unsettled"/>, files that changed again before they ever settled (set aside as StillChanging).</summary>
    public int StillChanging { get; init; }
}

/// <summary>What one chunk of hashes made: new (or revived) file versions, and paths found to be copies of a version under another name.</summary>
internal readonly record struct HashesRecorded(int NewVersions, int Copies)
{
    public static HashesRecorded operator +(HashesRecorded a, HashesRecorded b) => new(a.NewVersions + b.NewVersions, a.Copies + b.Copies);
}

/// <summary>A file's content hash, valid for exactly that size and mtime, and its pages as counted right after hashing.</summary>
internal sealed record HashedFile(FileObservation Observation, byte[] Sha256, PageCount? Pages = null);

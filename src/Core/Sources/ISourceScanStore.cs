namespace BatchOrchestrator.Core.Sources;

/// <summary>What a scan reads and writes: the last look at every path, and the file versions.</summary>
internal interface ISourceScanStore
{
    /// <summary>
    /// Compares one scan's observations with the stored looks in one bulk operation: new or changed
    /// paths start a new settle period, unchanged ones keep theirs, missing ones are marked deleted.
    /// Paths first seen with their current size and mtime after <paramref name="settledBefore"/> count as unsettled.
    /// </summary>
    Task<ObservationSummary> MergeObservationsAsync(
        string source, IEnumerable<FileObservation> observations, DateTimeOffset scanTime, DateTimeOffset settledBefore, CancellationToken cancellationToken);

    /// <summary>Settled paths (unchanged since <paramref name="settledBefore"/> or earlier) whose content is not hashed yet.</summary>
    IAsyncEnumerable<FileObservation> ReadHashCandidatesAsync(string source, DateTimeOffset settledBefore, CancellationToken cancellationToken);

    /// <summary>Stores content hashes and creates a file version for each hash (or hash and path) not seen before.</summary>
    Task<int> RecordHashesAsync(string source, IReadOnlyList<HashedFile> files, CancellationToken cancellationToken);
}

/// <summary>Counts from one merge.</summary>
internal sealed record ObservationSummary(int Seen, int NewOrChanged, int Vanished, int Unsettled);

/// <summary>A file's content hash, valid for exactly that size and mtime.</summary>
internal sealed record HashedFile(FileObservation Observation, byte[] Sha256);

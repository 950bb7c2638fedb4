using BatchOrchestrator.Core.Lifecycle;

namespace BatchOrchestrator.Core.Watchdog;

/// <summary>Flags stuck work on its rows.</summary>
internal interface IWatchdogStore
{
    /// <summary>
    /// Flags open batches older than <paramref name="batchAge"/> and unfetched job references older than
    /// <paramref name="jobAge"/> that are not flagged yet, in one round trip; returns only the newly
    /// flagged, so each is reported once however many instances watch.
    /// </summary>
    Task<StuckReport> FlagStuckAsync(TimeSpan batchAge, TimeSpan jobAge, int max, CancellationToken cancellationToken);
}

/// <summary>What one watchdog pass flagged.</summary>
internal sealed record StuckReport(IReadOnlyList<StuckBatch> Batches, IReadOnlyList<StuckJobs> Jobs);

/// <summary>A batch flagged stuck.</summary>
internal sealed record StuckBatch(long Id, string Source, BatchState State, string? RemoteBatchId, DateTimeOffset CreatedAt);

/// <summary>A batch's job references flagged stuck: how many, and a few of their job ids.</summary>
internal sealed record StuckJobs(long BatchId, int Count, IReadOnlyList<string> SampleJobIds);

using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Runs;

/// <summary>Runs: their start, the end of their scan, and reruns asked for meanwhile. Their batches are planned by <see cref="Planning.BatchPlanner"/>.</summary>
internal interface IRunStore
{
    Task<long> StartRunAsync(string source, RunTrigger trigger, CancellationToken cancellationToken);

    Task FinishScanAsync(long runId, ScanSummary summary, int batchCount, CancellationToken cancellationToken);

    Task FailRunAsync(long runId, string error, CancellationToken cancellationToken);

    /// <summary>
    /// Ends, with <paramref name="error"/>, the runs of <paramref name="source"/> still scanning (failed, or Active while batches
    /// their planning committed go on: <see cref="RunLifecycle.InterruptAfterPlanning"/>), and returns them. Only while holding
    /// the source's lease: no scan of it is alive then, so such a run was left by a process that ended mid-scan (killed).
    /// </summary>
    Task<IReadOnlyList<InterruptedRun>> EndInterruptedScansAsync(string source, string error, CancellationToken cancellationToken);

    /// <summary>Notes that a run was asked for while one was in progress.</summary>
    Task RequestRerunAsync(string source, CancellationToken cancellationToken);

    /// <summary>Clears and returns the rerun request, if there was one.</summary>
    Task<bool> TakeRerunRequestAsync(string source, CancellationToken cancellationToken);

    /// <summary>
    /// Records <paramref name="costs"/> (a fingerprint of the Costs section) as the one <paramref name="sources"/> are
    /// planned under; returns those of them that hold files under a cap and were last recorded under another (or none).
    /// </summary>
    Task<IReadOnlyList<string>> SourcesHoldingFilesUnderOtherCostsAsync(IReadOnlyList<string> sources, string costs, CancellationToken cancellationToken);

    /// <summary>
    /// Records each of <paramref name="sources"/> not known yet as configured from now; a known one keeps the time it
    /// was first configured (or first run, if that came first).
    /// </summary>
    Task RecordConfiguredSourcesAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken);

    /// <summary>
    /// Each of <paramref name="sources"/> that has no record (files, batches) while a name differing from it only in case has
    /// one: that name, keyed by the configured one. Names are case-sensitive, so such a source is a new one.
    /// </summary>
    Task<IReadOnlyDictionary<string, string>> RecordsUnderAnotherCaseAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken);

    /// <summary>
    /// The runs owed to <paramref name="sources"/> and never started (<see cref="OwedRuns"/>), each recorded as asked for in the
    /// same statement, so that of several instances looking at once only one asks: files of a retried class, below their
    /// source's attempts, sent back more than <paramref name="sentBackOwedAfter"/> ago (null: none owed), files an operator put in
    /// the queue (approved, reprocessed, retried) more than <paramref name="operatorQueuedOwedAfter"/> ago, or the unsettled
    /// files of a source's last run scanned more than its <see cref="OwedRunSource.UnsettledOwedAfter"/> ago, where no run of
    /// the source has started since and none was asked for since.
    /// </summary>
    Task<IReadOnlyList<OwedRun>> AskOwedRunsAsync(
        IReadOnlyList<OwedRunSource> sources, TimeSpan? sentBackOwedAfter, TimeSpan operatorQueuedOwedAfter, CancellationToken cancellationToken);

    /// <summary>Forgets that a run owed to <paramref name="source"/> was asked for: queuing it failed, and the next look asks again.</summary>
    Task ForgetOwedRunAskAsync(string source, CancellationToken cancellationToken);
}

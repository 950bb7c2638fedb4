using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Runs;

/// <summary>Runs, and the assignment of new file versions to batches.</summary>
internal interface IRunStore
{
    Task<long> StartRunAsync(string source, RunTrigger trigger, CancellationToken cancellationToken);

    /// <summary>
    /// Puts every unassigned Discovered version of the source, and every failed one worth retrying
    /// (transient or throttled, below <see cref="BatchPlan.MaxAttempts"/>), into new batches of at most
    /// <see cref="BatchPlan.MaxFilesPerBatch"/>, each with its own remote directory name; returns their ids.
    /// </summary>
    Task<IReadOnlyList<long>> PlanBatchesAsync(long runId, BatchPlan plan, CancellationToken cancellationToken);

    /// <summary>
    /// Mirror layout: one batch over everything in the source's mirror directory, new versions included,
    /// when there are changes to send (or <paramref name="batchAll"/>); none while the previous mirror
    /// batch is still open. Throws <see cref="RunRefusedException"/> when the mirror would exceed a batch.
    /// </summary>
    Task<IReadOnlyList<long>> PlanMirrorBatchAsync(long runId, BatchPlan plan, bool batchAll, CancellationToken cancellationToken);

    /// <summary>Remote-only layout: a batch over the existing directory, ready to submit; none while the previous one is open.</summary>
    Task<IReadOnlyList<long>> PlanRemoteOnlyBatchAsync(long runId, BatchPlan plan, string remoteDirectoryId, CancellationToken cancellationToken);

    Task FinishScanAsync(long runId, ScanSummary summary, int batchCount, CancellationToken cancellationToken);

    Task FailRunAsync(long runId, string error, CancellationToken cancellationToken);

    /// <summary>Notes that a run was asked for while one was in progress.</summary>
    Task RequestRerunAsync(string source, CancellationToken cancellationToken);

    /// <summary>Clears and returns the rerun request, if there was one.</summary>
    Task<bool> TakeRerunRequestAsync(string source, CancellationToken cancellationToken);
}

/// <summary>What the batches of one run are made of, and the project they are created in (recorded on each batch).</summary>
internal sealed record BatchPlan(
    string Source, string JobType, string ConfigurationId, int MaxFilesPerBatch, int MaxAttempts = 3, LlamaCloud.ProjectScope Scope = default);

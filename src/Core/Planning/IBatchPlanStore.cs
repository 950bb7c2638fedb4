namespace BatchOrchestrator.Core.Planning;

/// <summary>Writes a run's plan: which file versions go into which new batch, in one transaction per layout.</summary>
internal interface IBatchPlanStore
{
    /// <summary>
    /// PerRun layout: puts every unassigned Discovered or Held version of the source, and every failed one
    /// the plan's <see cref="BatchPlan.Retry"/> takes back, into new batches of at most
    /// <see cref="BatchPlan.MaxFilesPerBatch"/>, each with its own remote directory name, as far as the
    /// plan's caps allow (<see cref="CostPlan.Allocate"/>, decided under the caps' locks in the same
    /// transaction); escalated versions go into batches of their own with the fallback configuration.
    /// Reserves each taken version's estimate and holds the rest.
    /// </summary>
    Task<PlanOutcome> PlanBatchesAsync(long runId, BatchPlan plan, CancellationToken cancellationToken);

    /// <summary>
    /// Mirror layout: one batch over everything in the source's mirror directory, new versions included,
    /// when there are changes to send (new or changed versions, or remote copies to remove), whatever started
    /// the run: each batch parses, and is billed for, every file in the directory, so an unchanged tree gets
    /// none. None while the previous mirror batch is still open (then <see cref="PlanOutcome.WaitsForOpenBatch"/> says
    /// whether the next batch owes anything), or while a file of the mirror is changing and has not settled. Under the caps' locks, reserves every member's estimate
    /// (<see cref="CostPlan.AllocateWhole"/>), or, when the whole does not fit, holds the files to send and
    /// plans nothing: a mirror batch cannot be split. Throws <see cref="RunRefusedException"/> when the mirror would exceed a batch,
    /// or when the source is now configured for another project than the one its mirror directory is in.
    /// </summary>
    Task<PlanOutcome> PlanMirrorBatchAsync(long runId, BatchPlan plan, CancellationToken cancellationToken);

    /// <summary>
    /// How many files of the source in the folder now were processed (succeeded) in a PerRun batch: after a switch to
    /// Mirror, these are in no mirror batch, and the mirror never takes them unless they change.
    /// </summary>
    Task<int> CountProcessedOutsideMirrorAsync(string source, CancellationToken cancellationToken);

    /// <summary>
    /// Remote-only layout: a batch over the existing directory as <paramref name="listing"/> found it, ready to submit; none
    /// while the previous one is open, when the directory is empty, or when its latest batch completed over the same
    /// listing at the same configuration with every file given a job (parsing it again would bill them all again).
    /// </summary>
    Task<RemoteOnlyPlan> PlanRemoteOnlyBatchAsync(long runId, BatchPlan plan, string remoteDirectoryId, RemoteListing listing, CancellationToken cancellationToken);
}

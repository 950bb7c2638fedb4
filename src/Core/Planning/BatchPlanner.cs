using System.Globalization;
using BatchOrchestrator.Core.Costs;
using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Planning;

// Where uploads are decided. After a scan, this decides which file versions of a source go into which
// new batch, and so what is uploaded and paid for: new and changed versions, and failed ones the retry
// rule takes back (RetryRule), in batches of at most Pipeline:MaxFilesPerBatch with a remote directory
// each (PerRun, the default); for a Mirror source, its whole directory again whenever a file is new or
// changed (every file in it is billed again: files only deleted get a batch of no file, which removes their
// copies and submits nothing); for a RemoteOnly source, a batch over the given directory with nothing to
// upload, when the run's listing of it differs from what its latest batch completed over.
// It is also where spending caps hold: each version's estimate is reserved as it is put in a batch, in the
// same transaction, and what does not fit is held (docs/costs.md, "Caps"); a mirror's batch, which cannot
// be split, is reserved whole (every file in its directory is billed) or its files to send are held.
// The SQL that carries it out, in one transaction per plan, is src/Persistence/Planning. A version in
// a batch is never planned again until that batch gives it an outcome.

/// <summary>Plans the batches of one run, by the source's remote layout (docs/architecture.md decision 2).</summary>
internal sealed class BatchPlanner(
    IBatchPlanStore store,
    IOptions<PipelineOptions> pipeline,
    ProjectScopes scopes,
    CostBudget budget,
    CostMetrics metrics,
    MirrorSwitchNotice mirrorSwitch,
    ILogger<BatchPlanner> logger)
{
    /// <summary>Plans the run's batches; <paramref name="newVersions"/>: its scan recorded new or changed versions, to be priced afresh.</summary>
    public async Task<PlannedBatches> PlanAsync(long runId, SourceOptions source, bool newVersions, CancellationToken cancellationToken)
    {
        // The project is decided here, once, and recorded on each batch: every later step acts where its batch was created.
        var plan = NewPlan(source);
        plan = plan with { Cost = await budget.PlanAsync(source, plan.Scope, newVersions ? PriceRead.PlanningNewVersions : PriceRead.Planning, cancellationToken) };
        await mirrorSwitch.WarnOnceAsync(source, cancellationToken);
        var outcome = source.Layout == RemoteLayout.Mirror
            ? await store.PlanMirrorBatchAsync(runId, plan, cancellationToken)
            : await store.PlanBatchesAsync(runId, plan, cancellationToken);
        foreach (var (tier, credits) in outcome.Tally.CreditsByTier)
        {
            metrics.Estimated(source.Name, tier, credits);
        }

        if (outcome.Tally.Held > 0)
        {
            // A warning when this run holds a file; a file an earlier run held and this one holds again was warned about
            // then, and on a schedule every minute the same warning would come 1,440 times a day while a Day cap is spent.
            var heldAgainOnly = outcome.Tally.HeldByRun.Count > 0 && !outcome.Tally.HeldByRun.ContainsKey(runId);
            var level = heldAgainOnly ? LogLevel.Information : LogLevel.Warning;
            var tally = outcome.Tally;
            logger.Log(
                level, "Run {RunId} of {Source}: {Held} {Files} held by cap {Cap} ({Room}); {Taken} planned. {They} {GoOn}",
                runId, source.Name, tally.Held, tally.Held == 1 ? "file" : "files", tally.HeldBy, tally.HeldRoom, tally.Taken,
                tally.Held == 1 ? "It goes on" : "They go on", GoOn(runId, tally));
        }

        return new(outcome.BatchIds, FirstStep(BatchLifecycle.Plan), outcome.Tally) { WaitsForOpenBatch = outcome.WaitsForOpenBatch };
    }

    /// <summary>
    /// Plans a RemoteOnly run's batch over its directory as <paramref name="listing"/> found it: none when the directory is
    /// empty, a batch of it is still open, or its latest batch completed over the same files (docs/sources.md, "Remote layouts").
    /// </summary>
    public async Task<(PlannedBatches Planned, RemoteOnlyPlan Plan)> PlanRemoteOnlyAsync(long runId, SourceOptions source, RemoteListing listing, CancellationToken cancellationToken)
    {
        var planned = await store.PlanRemoteOnlyBatchAsync(runId, NewPlan(source), source.RemoteDirectoryId!, listing, cancellationToken);
        return (new(planned.BatchId is { } id ? [id] : [], FirstStep(BatchLifecycle.PlanRemoteOnly)), planned);
    }

    private BatchPlan NewPlan(SourceOptions source) => new(
        source.Name, source.JobType, source.ConfigurationId, pipeline.Value.MaxFilesPerBatch, source.MaxAttempts, scopes.For(source),
        V1ParseTier: source.JobType == BatchJobTypes.V1Parse ? source.RequestedV1ParseTier : null,
        V1Scope: BatchJobTypes.IsV1(source.JobType) ? source.V1Scope : null);

    private static string GoOn(long runId, PlanTally tally) =>
        tally.HeldFitsNoWindow ? $"only with {Approvals(runId, tally)}: {(tally.Held == 1 ? "it needs more than the whole cap, so no window of it will take it" : "each of them needs more than a whole cap, so no window will take them")}"
        : (tally.HeldBy?.EndsWith($"/{CapWindow.Run}", StringComparison.Ordinal) == true ? $"{CapCheck.RunTurnsOver}, or with {Approvals(runId, tally)}"
            : $"when the window turns over, or with {Approvals(runId, tally)}") + OverWholeCap(tally);

    /// <summary>The files held that need more than a whole cap, which no window sends: said apart, so no one waits for them to go.</summary>
    private static string OverWholeCap(PlanTally tally) => tally.HeldOverWholeCap switch
    {
        0 => "",
        1 => "; one of them needs more than a whole cap, which only an approval sends",
        var n => string.Create(CultureInfo.InvariantCulture, $"; {n} of them need more than a whole cap, which only an approval sends"),
    };

    /// <summary>
    /// The approvals that release what is held: files held again stay under the run that first held them
    /// (docs/costs.md, "Held files go on"), so this run's id alone would release only the files it newly held.
    /// </summary>
    private static string Approvals(long runId, PlanTally tally) => tally.HeldByRun.Count == 0
        ? string.Create(CultureInfo.InvariantCulture, $"'approve {runId}'")
        : string.Join(", ", tally.HeldByRun.Select(run => string.Create(
            CultureInfo.InvariantCulture, $"'approve {run.Key}' ({run.Value} {(run.Value == 1 ? "file" : "files")})")));

    private static BatchStep FirstStep(Transition<BatchState> birth) =>
        BatchLifecycle.OwedStep(birth.Target) ?? throw new InvalidOperationException($"{birth.Name} plans a batch no step of ours takes");
}

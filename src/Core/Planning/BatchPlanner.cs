using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Planning;

// Where uploads are decided. After a scan, this decides which file versions of a source go into which
// new batch, and so what is uploaded and paid for: new and changed versions, and failed ones the retry
// rule takes back (RetryRule), in batches of at most Pipeline:MaxFilesPerBatch with a remote directory
// each (PerRun, the default); for a Mirror source, its whole directory again whenever something changed
// (or on schedule); for a RemoteOnly source, a batch over the given directory with nothing to upload.
// The SQL that carries it out, in one transaction per plan, is src/Persistence/Planning. A version in
// a batch is never planned again until that batch gives it an outcome.

/// <summary>Plans the batches of one run, by the source's remote layout (docs/architecture.md decision 2).</summary>
internal sealed class BatchPlanner(IBatchPlanStore store, IOptions<PipelineOptions> pipeline, ProjectScopes scopes)
{
    /// <summary>
    /// Plans the run's batches. <paramref name="wholeMirror"/>: a mirror batches its whole directory
    /// even when nothing changed (runs on schedule or by hand do; runs started by file events do not).
    /// </summary>
    public async Task<PlannedBatches> PlanAsync(long runId, SourceOptions source, bool wholeMirror, CancellationToken cancellationToken)
    {
        // The project is decided here, once, and recorded on each batch: every later step acts where its batch was created.
        var plan = new BatchPlan(source.Name, source.JobType, source.ConfigurationId, pipeline.Value.MaxFilesPerBatch, source.MaxAttempts, scopes.For(source));
        return source.Layout switch
        {
            RemoteLayout.RemoteOnly => new(
                await store.PlanRemoteOnlyBatchAsync(runId, plan, source.RemoteDirectoryId!, cancellationToken), FirstStep(BatchLifecycle.PlanRemoteOnly)),
            RemoteLayout.Mirror => new(await store.PlanMirrorBatchAsync(runId, plan, wholeMirror, cancellationToken), FirstStep(BatchLifecycle.Plan)),
            _ => new(await store.PlanBatchesAsync(runId, plan, cancellationToken), FirstStep(BatchLifecycle.Plan)),
        };
    }

    private static BatchStep FirstStep(Transition<BatchState> birth) =>
        BatchLifecycle.OwedStep(birth.Target) ?? throw new InvalidOperationException($"{birth.Name} plans a batch no step of ours takes");
}

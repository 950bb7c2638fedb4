using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Pipeline;

namespace BatchOrchestrator.Core.Batches;

/// <summary>
/// Hands a batch back to the step of ours it waits for (upload, submit or record) when that step made
/// no progress for <see cref="PollingOptions.StalledAfter"/>: its job was lost, or gave up. One round
/// trip (and a read of the pauses, cached, when one of them owes its upload or submit); the steps are safe to run twice.
/// </summary>
internal sealed class StalledStepResumer(
    IBatchStore store, IPipelineScheduler scheduler, ProjectPauses pauses, IOptions<PollingOptions> options, ILogger<StalledStepResumer> logger)
{
    public async Task ResumeAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        foreach (var stalled in await store.ClaimStalledAsync(settings.StalledAfter, settings.MaxBatchesPerTick, cancellationToken))
        {
            if (stalled.WaitsItsTurn)
            {
                // Behind a batch of its source that is uploading: the slot is handed to it when that one is done.
                logger.LogDebug("Batch {BatchId} waits for the upload slot of {Source}", stalled.Id, stalled.Source);
                continue;
            }

            var step = BatchLifecycle.OwedStep(stalled.State);
            if (step is BatchStep.Upload or BatchStep.Submit && !stalled.CancelRequested
                && await pauses.FindAsync(stalled.Scope, fresh: false, cancellationToken) is { } pause)
            {
                // Deferred, not lost: its step looks again when the pause's probe is due (docs/resilience.md, "Provider
                // pauses"). Handed out here too, each copy deferred itself as well, one more for every StalledAfter the
                // pause lasted. A job lost meanwhile is made good by the first sweep after the pause is over.
                logger.LogDebug("Batch {BatchId} waits for project {Project} to resume ({Reason})", stalled.Id, pause.Project, pause.Reason.Label());
                continue;
            }

            logger.LogWarning("Batch {BatchId} made no progress in {State} for {StalledAfter}; handing it to its step again", stalled.Id, stalled.State, settings.StalledAfter);
            switch (step)
            {
                case BatchStep.Upload:
                    scheduler.EnqueueUpload(stalled.Source, stalled.Id);
                    break;
                case BatchStep.Submit:
                    scheduler.EnqueueSubmit(stalled.Id);
                    break;
                case BatchStep.Record:
                    scheduler.EnqueueRecord(stalled.Id);
                    break;
            }
        }
    }
}

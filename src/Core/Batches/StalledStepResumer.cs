using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.Pipeline;

namespace BatchOrchestrator.Core.Batches;

/// <summary>
/// Hands a batch back to the step of ours it waits for (upload, submit or record) when that step made
/// no progress for <see cref="PollingOptions.StalledAfter"/>: its job was lost, or gave up. One round
/// trip; the steps are safe to run twice.
/// </summary>
internal sealed class StalledStepResumer(IBatchStore store, IPipelineScheduler scheduler, IOptions<PollingOptions> options, ILogger<StalledStepResumer> logger)
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

            logger.LogWarning("Batch {BatchId} made no progress in {State} for {StalledAfter}; handing it to its step again", stalled.Id, stalled.State, settings.StalledAfter);
            switch (BatchLifecycle.OwedStep(stalled.State))
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

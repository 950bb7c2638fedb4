using BatchOrchestrator.Core.LlamaCloud;
using Microsoft.Extensions.Logging;

namespace BatchOrchestrator.Core.Batches;

/// <summary>
/// The record step: read a terminal batch's per-file results (<c>expand=results</c>) and give every
/// file version its <c>source_directory_file_id</c>, job reference or error, in one bulk write.
/// </summary>
internal sealed class BatchResultRecorder(IBatchStore store, IBatchApi api, ILogger<BatchResultRecorder> logger)
{
    public async Task RecordAsync(long batchId, CancellationToken cancellationToken)
    {
        var batch = await store.GetAsync(batchId, cancellationToken);
        if (batch is null || !batch.State.IsTerminal() || batch.RemoteBatchId is null)
        {
            return; // not finished yet, or already recorded
        }

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["Source"] = batch.Source, ["RunId"] = batch.RunId, ["BatchId"] = batchId });
        var remote = await api.GetBatchAsync(batch.RemoteBatchId, expandResults: true, cancellationToken);
        var remoteState = RemoteBatchStatus.ToState(remote.Status);
        if (!remoteState.IsTerminal())
        {
            logger.LogWarning("Batch {BatchId} was {State} when polled but is {RemoteState} now; recording later", batchId, batch.State, remoteState);
            return;
        }

        var summary = await store.RecordResultsAsync(batchId, remoteState, remote.Results ?? [], cancellationToken);
        if (!summary.AlreadyRecorded)
        {
            logger.LogInformation(
                "Recorded batch {BatchId} ({RemoteState}): {Succeeded} job references, {Failed} failed files, {Unmapped} without a result",
                batchId, remoteState, summary.Succeeded, summary.Failed, summary.Unmapped);
        }
    }
}

using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Core.Batches;

/// <summary>
/// The submit step. The row is already in state Creating before the POST; a rerun after a crash
/// between the POST and recording it finds the remote batch by its directory and adopts it, so a
/// batch is never created (and billed) twice.
/// </summary>
internal sealed class BatchSubmitter(
    IBatchStore store,
    IBatchApi api,
    IPipelineScheduler scheduler,
    LeaseManager leases,
    IOptions<PollingOptions> polling,
    TimeProvider time,
    ILogger<BatchSubmitter> logger)
{
    public async Task SubmitAsync(long batchId, CancellationToken cancellationToken)
    {
        var batch = await store.GetAsync(batchId, cancellationToken);
        if (batch is not { State: BatchState.Creating, RemoteBatchId: null })
        {
            return; // not ready yet, or already submitted
        }

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["Source"] = batch.Source, ["RunId"] = batch.RunId, ["BatchId"] = batchId });
        await using var lease = await leases.TryHoldAsync(BatchLease.Name(batchId), cancellationToken);
        if (lease is null)
        {
            logger.LogInformation("Batch {BatchId} is being submitted by another worker", batchId);
            return;
        }

        // Look again under the lease: the holder before us may have just recorded it.
        batch = await store.GetAsync(batchId, lease.Token);
        if (batch is not { State: BatchState.Creating, RemoteBatchId: null })
        {
            return;
        }

        cancellationToken = lease.Token;
        if (batch.CancelRequested)
        {
            await store.FinishCancelledAsync(batchId, cancellationToken);
            logger.LogInformation("Batch {BatchId} was cancelled by an operator before it was submitted", batchId);
            return;
        }

        var directoryId = batch.RemoteDirectoryId
            ?? throw new InvalidOperationException($"Batch {batchId} is Creating but has no remote directory");

        // Issue 4: a mirror's or a remote-only source's directory also holds batches that are not this
        // row's (earlier runs', or another tool's). Only a batch that appeared after our snapshot of the
        // directory, taken just before our first POST, and that no row of ours recorded, is the lost attempt.
        var window = await store.GetAdoptionWindowAsync(batchId, cancellationToken);
        var listed = await api.ListBatchesForDirectoryAsync(directoryId, cancellationToken);
        var existing = listed.Where(window.MayAdopt).ToList();
        if (existing.Count == 0 && window.Preexisting is null)
        {
            await store.RecordPreexistingBatchesAsync(batchId, [.. listed.Select(b => b.Id)], cancellationToken);
        }

        RemoteBatch remote;
        if (existing.Count > 0)
        {
            remote = existing.OrderBy(b => b.CreatedAt).First();
            logger.LogWarning("Batch {BatchId} was already created remotely as {RemoteBatchId} by an earlier attempt; adopting it", batchId, remote.Id);
        }
        else
        {
            var request = new CreateBatchRequest(directoryId, new RemoteBatchConfig(new RemoteBatchJob(batch.JobType, batch.ConfigurationId)));
            remote = await api.CreateBatchAsync(request, cancellationToken);
            logger.LogInformation("Submitted batch {BatchId} as {RemoteBatchId} ({JobType}, {ConfigurationId})", batchId, remote.Id, batch.JobType, batch.ConfigurationId);
        }

        var state = RemoteBatchStatus.ToState(remote.Status);
        await store.RecordSubmittedAsync(batchId, remote.Id, state, time.GetUtcNow() + polling.Value.InitialDelay, cancellationToken);
        if (state.IsTerminal())
        {
            scheduler.EnqueueRecord(batchId); // an adopted batch may have finished already
        }
    }
}

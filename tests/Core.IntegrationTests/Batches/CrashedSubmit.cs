namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>
/// A batch of two uploaded files whose submit created the remote job and died before recording it: the
/// state from which a later submit must adopt that job rather than create another.
/// </summary>
internal static class CrashedSubmit
{
    public static async Task<(long BatchId, BatchRecord Batch, IReadOnlyList<string> Items, RemoteBatchHandle Created)> PrepareAsync(
        PipelineHarness harness, CancellationToken cancellationToken)
    {
        harness.WriteFiles(2);
        var batchId = await harness.PlanOneBatchAsync(cancellationToken);
        await harness.Get<BatchUploader>().UploadAsync(batchId, cancellationToken);
        var batch = (await harness.Get<IBatchStore>().GetAsync(batchId, cancellationToken))!;
        var items = await harness.Get<IBatchStore>().GetRemoteFileIdsAsync(batchId, cancellationToken);
        var created = await harness.Get<RemoteBatches>().CreateAsync(batch, items, cancellationToken);
        return (batchId, batch, items, created);
    }
}

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

    /// <summary>Two files uploaded, then an earlier run of the submit step took its snapshot of the directory and died.</summary>
    public static async Task<(long BatchId, BatchRecord Batch)> SnapshotTakenAsync(PipelineHarness harness, CancellationToken cancellationToken)
    {
        harness.WriteFiles(2);
        var batchId = await harness.PlanOneBatchAsync(cancellationToken);
        await harness.Get<BatchUploader>().UploadAsync(batchId, cancellationToken);
        return (batchId, await SnapshotTakenAsync(harness, batchId, cancellationToken));
    }

    /// <summary>An earlier run of the submit step of <paramref name="batchId"/>, ready to submit, took its snapshot of the directory and died.</summary>
    public static async Task<BatchRecord> SnapshotTakenAsync(PipelineHarness harness, long batchId, CancellationToken cancellationToken)
    {
        var batch = (await harness.Get<IBatchStore>().GetAsync(batchId, cancellationToken))!;
        var preexisting = await harness.Get<RemoteBatches>().ListIdsAsync(batch, cancellationToken);
        await harness.UnderLeaseAsync(batchId, fence => harness.Get<IBatchStore>().RecordPreexistingBatchesAsync(batchId, preexisting, fence, cancellationToken), cancellationToken);
        return batch;
    }

    /// <summary>As <see cref="SnapshotTakenAsync"/>, and its create took effect before the process died.</summary>
    public static async Task<(long BatchId, BatchRecord Batch, RemoteBatchHandle Created)> CreateTookEffectAsync(PipelineHarness harness, CancellationToken cancellationToken)
    {
        var (batchId, batch) = await SnapshotTakenAsync(harness, cancellationToken);
        return (batchId, batch, await harness.Get<RemoteBatches>().CreateAsync(batch, [], cancellationToken));
    }

    /// <summary>
    /// As <see cref="CreateTookEffectAsync"/>; then the submit step's last run (<c>Pipeline:MaxStepAttempts</c> 1) gives the
    /// batch up, as its look cannot list the directory's batches: whether LlamaCloud made it is not known. The fault stays on.
    /// </summary>
    public static async Task<long> GivenUpUncheckedAsync(PipelineHarness harness, CancellationToken cancellationToken)
    {
        var (batchId, _, _) = await CreateTookEffectAsync(harness, cancellationToken);
        await GiveUpUncheckedAsync(harness, batchId, cancellationToken);
        return batchId;
    }

    /// <summary>
    /// As <see cref="GivenUpUncheckedAsync(PipelineHarness, CancellationToken)"/>, for <paramref name="batchId"/>, ready to
    /// submit: a snapshot, a create that took effect, then the last run of the step, which cannot look. The fault stays on.
    /// </summary>
    public static async Task GivenUpUncheckedAsync(PipelineHarness harness, long batchId, CancellationToken cancellationToken)
    {
        var batch = await SnapshotTakenAsync(harness, batchId, cancellationToken);
        await harness.Get<RemoteBatches>().CreateAsync(batch, [], cancellationToken);
        await GiveUpUncheckedAsync(harness, batchId, cancellationToken);
    }

    private static async Task GiveUpUncheckedAsync(PipelineHarness harness, long batchId, CancellationToken cancellationToken)
    {
        await harness.Get<IBatchStore>().BeginStepAttemptAsync(batchId, cancellationToken);
        await harness.Admin.SetFaultsAsync(new { error_rate = 1.0, error_status_codes = new[] { 500 }, routes = new[] { "GET /api/v2/batches" } });
        await harness.Get<BatchSubmitter>().SubmitAsync(batchId, cancellationToken);
    }
}

using BatchOrchestrator.Core.Leases;

namespace BatchOrchestrator.Core.IntegrationTests;

/// <summary>Writes a fact makes in a step's place, as the step makes them: under the batch's lease, its fence checked.</summary>
internal static class BatchLeases
{
    /// <summary>Takes the batch's lease, makes <paramref name="write"/> under it and releases it, as an earlier attempt of a step did.</summary>
    public static async Task UnderLeaseAsync(this PipelineHarness harness, long batchId, Func<Lease, Task> write, CancellationToken cancellationToken)
    {
        var store = harness.Get<ILeaseStore>();
        var lease = await store.TryAcquireAsync(BatchLease.Name(batchId), "an earlier attempt", TimeSpan.FromMinutes(1), cancellationToken)
            ?? throw new InvalidOperationException($"batch {batchId}'s lease is held");
        try
        {
            await write(lease);
        }
        finally
        {
            await store.ReleaseAsync(lease, cancellationToken);
        }
    }
}

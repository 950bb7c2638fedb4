using BatchOrchestrator.Core.Leases;

namespace BatchOrchestrator.Core.IntegrationTests.Resilience;

/// <summary>Set-ups of the tests of a follow-up that goes through its batch a chunk at a time.</summary>
internal static class FollowUpChunks
{
    /// <summary>The batch ends once every file has its job, which may still run: the look that comes next decides on them all.</summary>
    public static async Task WaitForItsJobsToEndAsync(PipelineHarness harness, long batch, CancellationToken cancellationToken)
    {
        var work = (await harness.Get<IFollowUpStore>().GetPendingAsync(batch, cancellationToken))!;
        await Eventually.WaitAsync(
            async () => (await harness.Get<IJobStatuses>().ReadAsync(work, work.Items, cancellationToken)).Values.Count(s => s.Status is "COMPLETED" or "FAILED") == work.Items.Count,
            TimeSpan.FromSeconds(30),
            "the batch's jobs to end");
    }

    /// <summary>
    /// A follow-up of <paramref name="batch"/> stalled once its first chunk is saved, its lease taken by another instance (which
    /// has not looked at the batch yet), then let go: it is refused its second save and stops. Returns what the other
    /// instance scheduled meanwhile.
    /// </summary>
    public static async Task<RecordingScheduler> RefusedAfterItsFirstChunkAsync(PipelineHarness harness, StallGate gate, long batch, CancellationToken cancellationToken)
    {
        gate.Arm(StallGate.At.LaterFollowUpSave);
        var stalled = harness.Get<FollowUpProcessor>().FollowUpAsync(batch, cancellationToken); // its first chunk saved, its second about to be
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        await harness.Database.ExecuteAsync(
            "update orchestrator.lease set expires_at = now() - interval '1 second' where name = $1", BatchLease.FollowUpName(batch));
        var others = new RecordingScheduler();
        await using (var other = harness.AnotherInstance(others))
        await using (var taken = await other.GetRequiredService<LeaseManager>().TryHoldAsync(BatchLease.FollowUpName(batch), cancellationToken))
        {
            Assert.NotNull(taken);
            gate.Release();
            await stalled.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken); // refused its second save: stops
        }

        Assert.Contains(harness.Logs.Lines, l => l.Contains($"The follow-up step of batch {batch} stops", StringComparison.Ordinal));
        return others;
    }
}

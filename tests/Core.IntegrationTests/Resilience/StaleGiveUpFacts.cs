using BatchOrchestrator.Core.Leases;

namespace BatchOrchestrator.Core.IntegrationTests.Resilience;

/// <summary>
/// A step's holder stalled past its lease just as it was about to give its batch up, while another instance took the lease
/// over and did the step: when it wakes, giving the batch up is refused for its stale fencing token, as its other writes
/// under the lease are, so the new holder's work stands (docs/reliability.md, "Fencing"). Guarded only by the state it
/// acts from, the give-up would end a batch the new holder has moved on within that same state: its uploads thrown away,
/// its files ended, or sent back to the queue to be planned, uploaded and billed again.
/// </summary>
public sealed class StaleGiveUpFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    private readonly StallGate gate = new();

    // This instance's key is refused (the one it was started with was rotated; the instance that takes the lease over has
    // the new one), so its upload step gives the batch up. Renewal never comes during a test: the test expires the lease.
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) => PipelineHarness.CreateAsync(
        server,
        new Dictionary<string, string?> { ["Leases:TimeToLive"] = "01:00:00", ["LLAMA_CLOUD_API_KEY"] = "llx-rotated-away" },
        services: services => StallGate.Install(services, gate));

    [Fact]
    public async Task AnUploadStalledPastItsLease_IsRefusedGivingTheBatchUp_SoTheNewHoldersUploadsStand()
    {
        Harness.WriteFiles(3);
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        gate.Arm(StallGate.At.GiveUp);
        var stalled = Harness.Get<BatchUploader>().UploadAsync(batchId, Ct); // refused its key, about to give the batch up
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        await Harness.Database.ExecuteAsync("update orchestrator.lease set expires_at = now() - interval '1 second' where name = $1", BatchLease.Name(batchId));
        await using (var other = Harness.Restarted(new Dictionary<string, string?> { ["LLAMA_CLOUD_API_KEY"] = PipelineHarness.ApiKey }, new RecordingScheduler(), new CapturingLoggerProvider()))
        {
            await other.GetRequiredService<BatchUploader>().UploadAsync(batchId, Ct); // takes the lease over and uploads every file
        }

        Assert.Equal("Creating", await Harness.Database.ScalarAsync<string>("select state from orchestrator.batch where id = $1", batchId));
        gate.Release();
        await stalled.WaitAsync(TimeSpan.FromSeconds(30), Ct); // stops without failing: the batch is in good hands

        Assert.Equal("Creating", await Harness.Database.ScalarAsync<string>("select state from orchestrator.batch where id = $1", batchId)); // still to be submitted
        Assert.Equal(
            ["Uploaded", "Uploaded", "Uploaded"],
            await Harness.Database.ListAsync("select state from orchestrator.file_version where batch_id = $1 order by id", r => r.GetString(0), batchId));
        Assert.Equal(3L, (await Harness.Admin.CountersAsync()).UploadsTotal); // each file once, by the new holder
        var stale = Assert.Single(Harness.Logs.Lines, l => l.Contains("another worker took its lease over", StringComparison.Ordinal));
        Assert.StartsWith("Warning", stale, StringComparison.Ordinal);
        Assert.Contains($"The upload step of batch {batchId} stops", stale, StringComparison.Ordinal);
        Assert.DoesNotContain(Harness.Logs.Lines, l => l.Contains("ended without reaching LlamaCloud", StringComparison.Ordinal));
    }
}

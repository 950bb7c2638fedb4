using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Core.IntegrationTests.Resilience;

/// <summary>
/// A step's holder stalled past its lease (a long GC pause, a frozen VM) while another instance took the lease over:
/// when it wakes, its next write under the lease is refused for its stale fencing token, and it stops there, with one
/// warning, before it sends anything the new holder already sent (docs/reliability.md, "Fencing"). Without the fence both
/// would act on the batch: its files uploaded twice, or the batch created, and billed, twice; or a follow-up's stale look
/// saved over what the new holder, and the batches after it, made of the file since.
/// </summary>
public sealed class StaleLeaseFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    private readonly StallGate gate = new();

    // Renewal every third of an hour never comes during a test: the lease expires only when the test says so.
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) => PipelineHarness.CreateAsync(
        server,
        new Dictionary<string, string?> { ["Leases:TimeToLive"] = "01:00:00" },
        services: services => StallGate.Install(services, gate));

    [Fact]
    public async Task ASubmitStalledPastItsLease_IsRefusedItsRecordOfTheCreate_AndStops_SoTheBatchIsCreatedOnce()
    {
        Harness.WriteFiles(2);
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        gate.Arm(StallGate.At.CreateSent);
        var stalled = Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct); // about to record the create it will send
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        await ExpireLeaseAsync(BatchLease.Name(batchId)); // its lease runs out while it is frozen
        await using (var other = Harness.AnotherInstance(new RecordingScheduler()))
        {
            await other.GetRequiredService<BatchSubmitter>().SubmitAsync(batchId, Ct); // takes the lease over, creates and records the batch
        }

        var recorded = await Harness.Database.ScalarAsync<string>("select remote_batch_id from orchestrator.batch where id = $1", batchId);
        Assert.Equal(1L, (await Harness.Admin.CountersAsync()).BatchCreatesTotal);
        gate.Release();
        await stalled.WaitAsync(TimeSpan.FromSeconds(30), Ct); // stops without failing: the batch is in good hands

        Assert.Equal(1L, (await Harness.Admin.CountersAsync()).BatchCreatesTotal); // no second create was sent
        Assert.Equal(recorded, await Harness.Database.ScalarAsync<string>("select remote_batch_id from orchestrator.batch where id = $1", batchId));
        AssertOneStaleLeaseWarning(batchId, "submit");
    }

    [Fact]
    public async Task AnUploadStalledPastItsLease_IsRefusedItsIntent_AndStops_SoNoFileIsSentTwice()
    {
        Harness.WriteFiles(3);
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        gate.Arm(StallGate.At.UploadIntent);
        var stalled = Harness.Get<BatchUploader>().UploadAsync(batchId, Ct); // about to record that its files may be sent
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        await ExpireLeaseAsync(BatchLease.Name(batchId));
        await using (var other = Harness.AnotherInstance(new RecordingScheduler()))
        {
            await other.GetRequiredService<BatchUploader>().UploadAsync(batchId, Ct); // takes the lease over and uploads every file
        }

        Assert.Equal("Creating", await Harness.Database.ScalarAsync<string>("select state from orchestrator.batch where id = $1", batchId));
        gate.Release();
        await stalled.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        var counters = await Harness.Admin.CountersAsync();
        Assert.Equal(3L, counters.UploadsTotal); // each file once, by the new holder
        Assert.All(counters.UploadsByUniqueId.Values, n => Assert.Equal(1L, n));
        Assert.Equal(3L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where batch_id = $1 and state = 'Uploaded'", batchId));
        Assert.Equal("Creating", await Harness.Database.ScalarAsync<string>("select state from orchestrator.batch where id = $1", batchId));
        AssertOneStaleLeaseWarning(batchId, "upload");
    }

    [Fact]
    public async Task AnUploadStalledPastItsLease_TakesBackNoCopy_TheNewHolderSentAndRecorded()
    {
        Harness.WriteFiles(1);
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        // An earlier run recorded the intent and was cut off: the file may have been sent, so a changed file's copy is taken back.
        await Harness.Database.ExecuteAsync(
            "update orchestrator.batch set upload_intent_through = (select max(id) from orchestrator.file_version where batch_id = $1) where id = $1", batchId);
        gate.Arm(StallGate.At.UploadIntentWritten);
        var stalled = Harness.Get<BatchUploader>().UploadAsync(batchId, Ct); // its intent written, about to hand the file out
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        await ExpireLeaseAsync(BatchLease.Name(batchId));
        await using (var other = Harness.AnotherInstance(new RecordingScheduler()))
        {
            await other.GetRequiredService<BatchUploader>().UploadAsync(batchId, Ct); // finds no copy by unique_id, sends the file, records it
        }

        Assert.Equal("Creating", await Harness.Database.ScalarAsync<string>("select state from orchestrator.batch where id = $1", batchId));
        Harness.WriteFile("doc0000.txt", "doc number 0, written again after the new holder sent it"); // the stalled holder finds it changed
        gate.Release();
        await stalled.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        var directoryId = await Harness.Database.ScalarAsync<string>("select remote_directory_id from orchestrator.batch where id = $1", batchId);
        var copy = Assert.Single(await Harness.Get<IBatchApis>().For(ProjectScope.Default).ListDirectoryFilesAsync(directoryId, Ct)); // still there, to be submitted
        Assert.Equal(copy.Id, await Harness.Database.ScalarAsync<string>("select remote_file_id from orchestrator.file_version where batch_id = $1 and state = 'Uploaded'", batchId));
        AssertOneStaleLeaseWarning(batchId, "upload");
    }

    [Fact]
    public async Task AFollowUpStalledPastItsLease_IsRefusedItsSave_AndStops_SoAFileDeliveredSinceIsNotSetBackToFailed()
    {
        Harness.WriteFile("slow.txt", "times out");
        // Seed 5 makes the Sandbox's first job failure "Processing timed out after 1800 seconds": transient, so the file goes again.
        await Harness.Admin.SetFaultsAsync(new { fail_files_matching = "slow", seed = 5 });
        var first = Assert.Single(await Harness.RunToRecordedAsync(Ct));
        gate.Arm(StallGate.At.FollowUpSave);
        var stalled = Harness.Get<FollowUpProcessor>().FollowUpAsync(first, Ct); // its job read FAILED, about to save that verdict
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        await ExpireLeaseAsync(BatchLease.FollowUpName(first));
        await using (var other = Harness.AnotherInstance(new RecordingScheduler()))
        {
            await other.GetRequiredService<FollowUpProcessor>().FollowUpAsync(first, Ct); // takes the lease over and fails the file
        }

        // While the first holder sleeps, the file goes again in the next batch, whose job succeeds and whose result is delivered.
        await Harness.Admin.SetFaultsAsync(new { fail_files_matching = "^$" });
        var second = Assert.Single(await Harness.RunToRecordedAsync(Ct));
        await Harness.FollowUpAllAsync([second], Ct);
        var delivered = await Harness.Database.ScalarAsync<string>("select job_id from orchestrator.file_version where relative_path = 'slow.txt'");
        gate.Release();
        await stalled.WaitAsync(TimeSpan.FromSeconds(30), Ct); // stops without failing: the batch's follow-up is in good hands

        // Its stale verdict, the job of the first batch failed, does not land on the version the second batch delivered.
        Assert.Equal(
            [("Succeeded", (string?)null, delivered)],
            await Harness.Database.ListAsync(
                "select state, error_message, job_id from orchestrator.file_version where relative_path = 'slow.txt'",
                r => (r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetString(2))));
        Assert.Equal("FollowedUp", await Harness.Database.ScalarAsync<string>("select follow_up_state from orchestrator.batch_result where batch_id = $1", second));
        AssertOneStaleLeaseWarning(first, "follow-up");
    }

    private Task ExpireLeaseAsync(string name) => Harness.Database.ExecuteAsync(
        "update orchestrator.lease set expires_at = now() - interval '1 second' where name = $1", name);

    private void AssertOneStaleLeaseWarning(long batchId, string step)
    {
        var stale = Assert.Single(Harness.Logs.Lines, l => l.Contains("another worker took its lease over", StringComparison.Ordinal));
        Assert.StartsWith("Warning", stale, StringComparison.Ordinal);
        Assert.Contains($"The {step} step of batch {batchId} stops", stale, StringComparison.Ordinal);
        Assert.DoesNotContain(Harness.Logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal));
    }
}

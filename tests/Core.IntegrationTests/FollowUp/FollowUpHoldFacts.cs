using BatchOrchestrator.Core.FollowUp;
using BatchOrchestrator.Core.Leases;

namespace BatchOrchestrator.Core.IntegrationTests.FollowUp;

/// <summary>
/// A follow-up job whose batch's next look falls due within <c>FollowUp:HoldFor</c> waits and makes it
/// itself, rather than end and have another job handed out moments later; at most <c>FollowUp:MaxHolding</c>
/// do so at once per process, none beyond <c>FollowUp:HoldAtMost</c>, and no dispatcher hands the batch out
/// meanwhile. A job handed a look while the batch's lease is still held asks for it again for a moment before it puts
/// the look back a lease later: its holder may be just leaving.
/// </summary>
public sealed class FollowUpHoldFacts(PostgresServerFixture server)
{
    private const string Waiting = "select count(*) from orchestrator.batch_result where follow_up_state = 'Recorded' and batch_id = $1";

    [Fact]
    public async Task OneFollowUpJob_StaysForTheLooksDueSoon_AndDeliversEveryResult_WhenTheJobsTakeSeconds()
    {
        await using var harness = await CreateAsync(holdFor: "00:00:05", holdAtMost: "00:01:00", maxHolding: 2, new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(200), JobRunningSteps = 10 });
        harness.WriteFiles(3);
        var batch = (await harness.RunToRecordedAsync(Ct)).Single();

        await harness.Get<FollowUpProcessor>().FollowUpAsync(batch, Ct);

        Assert.Equal(0L, await harness.Database.ScalarAsync<long>(Waiting, batch));
        Assert.Equal(3L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.follow_up_result"));
        Assert.True(await harness.Database.ScalarAsync<bool>("select follow_up_checks > 1 and follow_up_next_at is null from orchestrator.batch where id = $1", batch));
    }

    [Fact]
    public async Task AFollowUpJob_LeavesAfterHoldAtMost_WithItsNextLookDueAsUsual_NotALeaseLater()
    {
        await using var harness = await CreateAsync(holdFor: "00:00:05", holdAtMost: "00:00:01.500", maxHolding: 2, NeverFinishing);
        harness.WriteFiles(3);
        var batch = (await harness.RunToRecordedAsync(Ct)).Single();

        await harness.Get<FollowUpProcessor>().FollowUpAsync(batch, Ct);

        Assert.Equal(3L, await harness.Database.ScalarAsync<long>(Waiting, batch));
        Assert.True(await harness.Database.ScalarAsync<bool>(
            "select follow_up_checks > 1 and follow_up_next_at < now() + interval '5 seconds' from orchestrator.batch where id = $1", batch)); // the lease lives 30 s
    }

    [Fact]
    public async Task BeyondMaxHolding_AFollowUpJobEndsAfterOneLook_AndAHoldingBatchIsNotHandedOutAgain_NorLeftALeaseLateWhenStopped()
    {
        // Five seconds between looks: the facts below run within the first wait, so the count of looks stands still.
        await using var harness = await CreateAsync(holdFor: "00:00:05", holdAtMost: "00:05:00", maxHolding: 1, NeverFinishing, recheck: "00:00:05");
        harness.WriteFiles(3, "first-");
        var holder = (await harness.RunToRecordedAsync(Ct)).Single();
        harness.WriteFiles(3, "second-");
        var other = (await harness.RunToRecordedAsync(Ct)).Single();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var holding = harness.Get<FollowUpProcessor>().FollowUpAsync(holder, stop.Token);
        await Eventually.WaitAsync(
            () => harness.Database.ScalarAsync<bool>("select follow_up_checks >= 1 and follow_up_next_at > now() + interval '20 seconds' from orchestrator.batch where id = $1", holder),
            held => held,
            TimeSpan.FromSeconds(15),
            "the first follow-up job to wait for its next look");

        var handedOut = harness.Scheduler.BatchIds("follow-up").Count(id => id == holder);
        await harness.Get<FollowUpDispatcher>().DispatchDueAsync(10, Ct);
        Assert.Equal(handedOut, harness.Scheduler.BatchIds("follow-up").Count(id => id == holder));

        await harness.Get<FollowUpProcessor>().FollowUpAsync(other, Ct).WaitAsync(TimeSpan.FromSeconds(15), Ct); // holding, it would stay five minutes
        Assert.True(await harness.Database.ScalarAsync<bool>(
            "select follow_up_checks = 1 and follow_up_next_at < now() + interval '10 seconds' from orchestrator.batch where id = $1", other)); // a lease later: 35 s
        Assert.False(holding.IsCompleted);

        var looks = await harness.Database.ScalarAsync<int>("select follow_up_checks from orchestrator.batch where id = $1", holder);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => holding);
        Assert.True(await harness.Database.ScalarAsync<bool>(
            "select follow_up_next_at < now() + interval '10 seconds' and follow_up_checks = $2 from orchestrator.batch where id = $1", holder, looks)); // put back, not a look more
    }

    [Fact]
    public async Task AFollowUpJob_FindingTheLeaseHeldByAHolderJustLeaving_TakesItOnceReleased_RatherThanPutTheLookBackALeaseLater()
    {
        // A long wait, so that however late the test sees the job asking, the release comes within it.
        await using var harness = await CreateAsync(holdFor: "00:00:05", holdAtMost: "00:01:00", maxHolding: 2, new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(50), JobRunningSteps = 1 }, heldLeaseWait: "00:00:30");
        harness.WriteFiles(3);
        var batch = (await harness.RunToRecordedAsync(Ct)).Single();
        var lease = BatchLease.FollowUpName(batch);
        var leaving = await harness.Get<LeaseManager>().TryHoldAsync(lease, Ct); // a job that has scheduled the next look, not yet released
        Task job;
        try
        {
            job = harness.Get<FollowUpProcessor>().FollowUpAsync(batch, Ct);
            await Eventually.WaitAsync(
                () => Task.FromResult(harness.Logs.Lines.Any(l => l.Contains($"Lease {lease} is held", StringComparison.Ordinal))), seen => seen, TimeSpan.FromSeconds(15), "the job to find the lease held");
        }
        finally
        {
            await leaving!.DisposeAsync();
        }

        await job.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(0L, await harness.Database.ScalarAsync<long>(Waiting, batch));
        Assert.Equal(3L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.follow_up_result"));
    }

    [Fact]
    public async Task AFollowUpJob_FindingTheLeaseStillHeldAfterItsWait_PutsTheLookBackALeaseLater_WithoutALook()
    {
        await using var harness = await CreateAsync(holdFor: "00:00:05", holdAtMost: "00:01:00", maxHolding: 2, NeverFinishing, heldLeaseWait: "00:00:01");
        harness.WriteFiles(3);
        var batch = (await harness.RunToRecordedAsync(Ct)).Single();
        await using var holder = await harness.Get<LeaseManager>().TryHoldAsync(BatchLease.FollowUpName(batch), Ct); // at work, or killed

        await harness.Get<FollowUpProcessor>().FollowUpAsync(batch, Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.True(await harness.Database.ScalarAsync<bool>(
            "select follow_up_checks = 0 and follow_up_next_at > now() + interval '20 seconds' from orchestrator.batch where id = $1", batch)); // the harness's lease lives 30 s
        Assert.Equal(3L, await harness.Database.ScalarAsync<long>(Waiting, batch));
    }

    private static SandboxOptions NeverFinishing => new() { StepDelay = TimeSpan.FromMilliseconds(50), JobRunningSteps = 1_000_000 };

    private Task<PipelineHarness> CreateAsync(string holdFor, string holdAtMost, int maxHolding, SandboxOptions sandbox, string recheck = "00:00:00.200", string heldLeaseWait = "00:00:02") =>
        PipelineHarness.CreateAsync(
            server,
            new Dictionary<string, string?>
            {
                ["FollowUp:HoldFor"] = holdFor,
                ["FollowUp:HoldAtMost"] = holdAtMost,
                ["FollowUp:MaxHolding"] = maxHolding.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["FollowUp:RecheckDelay"] = recheck,
                ["FollowUp:MaxRecheckDelay"] = "00:00:05",
                ["FollowUp:HeldLeaseWait"] = heldLeaseWait,
            },
            sandbox);
}

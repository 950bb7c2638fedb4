namespace BatchOrchestrator.Core.IntegrationTests.Resilience;

/// <summary>
/// A follow-up saves its outcomes a chunk at a time, and a chunk's save commits for good: a file it sends back to the
/// queue is saved so, and no later look at the batch sees it again (only references still waiting are looked at). So
/// the run that takes it is asked for as that chunk's save commits, not once the follow-up has gone through every
/// chunk: a follow-up refused after it (its lease taken over) would otherwise leave the file to the source's next
/// scheduled run, a night away for a nightly source (docs/resilience.md, "Files a follow-up sends again").
/// </summary>
public sealed class FollowUpStoppedAfterAChunkFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    // Transient: a file whose job failed so goes again.
    private const string TimedOut = "Processing timed out after 1800 seconds";

    private readonly StallGate gate = new();

    // One reference per chunk; the lease expires only when the test says so.
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) => PipelineHarness.CreateAsync(
        server,
        new Dictionary<string, string?> { ["Leases:TimeToLive"] = "01:00:00", ["FollowUp:ChunkSize"] = "1" },
        services: services => StallGate.Install(services, gate));

    [Fact]
    public async Task AFollowUpRefusedAfterItsFirstChunkSaved_HasScheduledTheRunThatTakesTheFileThatChunkSentBack()
    {
        Harness.WriteFile("a-slow.txt", "times out");
        Harness.WriteFile("b-slow.txt", "times out too");
        await Harness.Admin.SetFaultsAsync(new { fail_files_matching = "slow", file_failure_message = TimedOut });
        var batch = Assert.Single(await Harness.RunToRecordedAsync(Ct));
        await FollowUpChunks.WaitForItsJobsToEndAsync(Harness, batch, Ct);

        var others = await FollowUpChunks.RefusedAfterItsFirstChunkAsync(Harness, gate, batch, Ct);
        // The first chunk's file stands sent back, for good: no look at the batch sees it again; the second's job still waits for one.
        Assert.Equal(
            ["Failed Transient FollowUpFailed", "Succeeded  Recorded"],
            await Harness.Database.ListAsync(
                "select v.state || ' ' || coalesce(v.error_class, '') || ' ' || r.follow_up_state from orchestrator.batch_result r join orchestrator.file_version v on v.id = r.file_version_id order by 1",
                r => r.GetString(0)));
        // The run that takes it was scheduled when the chunk that sent it back was saved, before the refusal.
        Assert.Equal(
            [("scheduled-run", $"{PipelineHarness.SourceName}:Retry", TimeSpan.FromMinutes(15))],
            Harness.Scheduler.Delays.Where(d => d.Step == "scheduled-run"));
        Assert.Empty(others.Calls);
    }

    [Fact]
    public async Task ChunksEachSendingAFileBack_ScheduleOneRunBetweenThem_NotOneRunPerChunk()
    {
        Harness.WriteFile("a-slow.txt", "times out");
        Harness.WriteFile("b-slow.txt", "times out too");
        Harness.WriteFile("c-slow.txt", "times out as well");
        await Harness.Admin.SetFaultsAsync(new { fail_files_matching = "slow", file_failure_message = TimedOut });
        var batch = Assert.Single(await Harness.RunToRecordedAsync(Ct));
        await FollowUpChunks.WaitForItsJobsToEndAsync(Harness, batch, Ct); // one look goes through the three chunks

        await Harness.FollowUpAllAsync([batch], Ct);

        Assert.Equal(3, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Failed' and error_class = 'Transient'"));
        // Each chunk's save is followed by its ask for a run, and the run the first asked for, 15 minutes on, takes what the
        // later chunks sent back as well: they ask for none of their own.
        Assert.Equal(
            [("scheduled-run", $"{PipelineHarness.SourceName}:Retry", TimeSpan.FromMinutes(15))],
            Harness.Scheduler.Delays.Where(d => d.Step == "scheduled-run"));
        Assert.Contains(Harness.Logs.Lines, l => l.Contains($"Batch {batch}: 2 more of its files go back to the queue; the run of {PipelineHarness.SourceName} this follow-up scheduled takes them", StringComparison.Ordinal));
    }
}

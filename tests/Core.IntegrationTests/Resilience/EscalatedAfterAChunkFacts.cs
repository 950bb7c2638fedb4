namespace BatchOrchestrator.Core.IntegrationTests.Resilience;

/// <summary>
/// As <see cref="FollowUpStoppedAfterAChunkFacts"/>, for files a chunk escalates to their source's fallback configuration:
/// the run that sends them is queued as that chunk's save commits, and a follow-up of many such chunks queues two runs at
/// most, not one per chunk (docs/resilience.md, "Files a follow-up sends again").
/// </summary>
public sealed class EscalatedAfterAChunkFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    private readonly StallGate gate = new();

    // cfg-PARSE_AGENTIC_PLUS is a preset no source documents: the Sandbox refuses it unless told to accept it. One reference
    // per chunk; the lease expires only when the test says so.
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) => PipelineHarness.CreateAsync(
        server,
        sandboxOptions: new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(20), Guesses = { AcceptUndocumentedPresets = true } },
        settings: new Dictionary<string, string?>
        {
            ["Leases:TimeToLive"] = "01:00:00",
            ["FollowUp:ChunkSize"] = "1",
            ["Sources:0:FallbackConfigurationId"] = "cfg-PARSE_AGENTIC_PLUS",
            ["Costs:Presets:cfg-PARSE_AGENTIC_PLUS:JobType"] = "parse_v2",
            ["Costs:Presets:cfg-PARSE_AGENTIC_PLUS:Tier"] = "agentic_plus",
        },
        services: services => StallGate.Install(services, gate));

    private static readonly (string, string) EscalationRun = ("run", $"{PipelineHarness.SourceName}:Manual");

    [Fact]
    public async Task AFollowUpRefusedAfterItsFirstChunkSaved_HasQueuedTheRunThatSendsTheFileThatChunkEscalated()
    {
        Harness.WriteFile("a-blank.txt", "scanned image, nothing to read");
        Harness.WriteFile("b-blank.txt", "another scanned image");
        await Harness.Admin.SetFaultsAsync(new { empty_results_matching = "blank" });
        var batch = Assert.Single(await Harness.RunToRecordedAsync(Ct));
        await FollowUpChunks.WaitForItsJobsToEndAsync(Harness, batch, Ct);

        var others = await FollowUpChunks.RefusedAfterItsFirstChunkAsync(Harness, gate, batch, Ct);
        // The first chunk's file stands escalated, waiting for a planning; the second's job still waits for a look.
        Assert.Equal(
            ["Discovered FollowUpFailed", "Succeeded Recorded"],
            await Harness.Database.ListAsync(
                "select v.state || ' ' || r.follow_up_state from orchestrator.batch_result r join orchestrator.file_version v on v.id = r.file_version_id order by 1",
                r => r.GetString(0)));
        Assert.Equal([EscalationRun], Harness.Scheduler.Calls.Where(c => c.Step is "run" or "scheduled-run"));
        Assert.Empty(others.Calls);
    }

    [Fact]
    public async Task ChunksEachEscalatingAFile_QueueARunForTheFirst_AndOneMoreForTheRest_NotOnePerChunk()
    {
        Harness.WriteFiles(4, "blank");
        await Harness.Admin.SetFaultsAsync(new { empty_results_matching = "blank" });

        var batch = Assert.Single(await Harness.RunToRecordedAsync(Ct));
        await FollowUpChunks.WaitForItsJobsToEndAsync(Harness, batch, Ct); // one look goes through the four chunks

        await Harness.FollowUpAllAsync([batch], Ct);

        Assert.Equal(4, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Discovered' and escalated_at is not null"));
        // The first run may plan before the later chunks are saved: one more is queued for them once the follow-up has been
        // through the batch, and a run asked for while another is under way only asks that one for a catch-up.
        Assert.Equal(2, Harness.Scheduler.Calls.Count(c => c == EscalationRun));
    }
}

using BatchOrchestrator.Core.IntegrationTests.Resilience;
using BatchOrchestrator.Core.Leases;

namespace BatchOrchestrator.Core.IntegrationTests.FollowUp;

/// <summary>
/// One file version sent again in a later batch (reprocessed after a configuration change), or a copy's path given
/// other content, while an earlier batch's follow-up of it was frozen: the earlier batch's result, written late,
/// replaces the later one in no sink, under the file's own name or a copy's (docs/pipeline.md, "Follow-up sinks").
/// </summary>
public sealed class ResultPathSameVersionFacts(PostgresServerFixture server)
{
    [Fact]
    public async Task AnEarlierBatchsResult_OfTheSameVersion_WrittenLate_DoesNotReplaceTheReprocessedResult_InAnySink()
    {
        var gate = new StallGate();
        await using var harness = await CreateHarnessAsync(gate);
        harness.WriteFile("a.txt", "the report");
        harness.WriteFile("b.txt", "the report"); // the same content under another name: a copy of a.txt's version
        var first = Assert.Single(await harness.RunToRecordedAsync(Ct));

        // The first batch's follow-up read what waits and froze there (a long GC pause, a frozen VM): it has yet to look and write.
        var stalled = await FrozenAfterItsReadAsync(harness, gate, first);
        await harness.Database.ExecuteAsync(
            "update orchestrator.lease set expires_at = now() - interval '1 second' where name = $1", BatchLease.FollowUpName(first));
        await using (var other = harness.AnotherInstance(new RecordingScheduler()))
        {
            await Eventually.WaitAsync(
                async () =>
                {
                    await other.GetRequiredService<FollowUpProcessor>().FollowUpAsync(first, Ct);
                    return await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where batch_id = $1 and follow_up_state = 'Recorded'", first);
                },
                n => n == 0,
                TimeSpan.FromSeconds(60),
                "the new holder to deliver the first batch's result");
        }

        // The operator changes the configuration and reprocesses: the same version goes in a second batch, whose result is delivered.
        var second = await ReprocessAsync(harness);
        var delivered = await harness.Database.ScalarAsync<string>("select job_id from orchestrator.file_version where relative_path = 'a.txt'");

        gate.Release();
        await stalled.WaitAsync(TimeSpan.FromSeconds(60), Ct); // wakes, looks at the first batch's job, and writes what it found

        // Every sink keeps the second batch's result, under the file's name and the copy's.
        Assert.Equal((second, delivered), await WrittenAsync(harness, "a.txt"));
        Assert.Equal((second, delivered), await WrittenAsync(harness, "b.txt"));

        Assert.Equal(
            [("a.txt", second), ("b.txt", second)],
            await harness.Database.ListAsync("select relative_path, batch_id from orchestrator.follow_up_result order by relative_path", r => (r.GetString(0), r.GetInt64(1))));
        Assert.Equal(delivered, await harness.Database.ScalarAsync<string>("select job_id from orchestrator.file_copy where relative_path = 'b.txt' and follow_up_state = 'FollowedUp'"));
    }

    [Fact]
    public async Task AnEarlierBatchsLookForACopy_MadeLate_NeitherWritesItsResultThere_NorSetsTheCopyBackToIt()
    {
        var gate = new StallGate();
        await using var harness = await CreateHarnessAsync(gate);
        harness.WriteFile("a.txt", "the report");
        var first = Assert.Single(await harness.RunToRecordedAsync(Ct));
        await harness.FollowUpAllAsync([first], Ct);
        harness.WriteFile("b.txt", "the report"); // a copy found after the result was delivered: the first batch's follow-up owes it that result
        Assert.Empty(await harness.PlanAsync(Ct));

        // The look for the copy read what waits and is slow to go on (here frozen, its lease still its own): meanwhile the file is
        // reprocessed, and the second batch delivers its result under both names.
        var slow = await FrozenAfterItsReadAsync(harness, gate, first);
        var second = await ReprocessAsync(harness);
        var delivered = await harness.Database.ScalarAsync<string>("select job_id from orchestrator.file_version where relative_path = 'a.txt'");
        Assert.Equal(delivered, await harness.Database.ScalarAsync<string>("select job_id from orchestrator.file_copy where follow_up_state = 'FollowedUp'"));

        gate.Release();
        await slow.WaitAsync(TimeSpan.FromSeconds(60), Ct);

        // The copy keeps the second batch's result, and its record says that batch's job delivered it.
        Assert.Equal((second, delivered), await WrittenAsync(harness, "b.txt"));
        Assert.Equal(
            [("FollowedUp", delivered)],
            await harness.Database.ListAsync("select follow_up_state, job_id from orchestrator.file_copy", r => (r.GetString(0), (string?)r.GetString(1))));
        Assert.Equal(second, await harness.Database.ScalarAsync<long>("select batch_id from orchestrator.follow_up_result where relative_path = 'b.txt'"));
    }

    [Fact]
    public async Task AnEarlierLookForACopy_WrittenAfterTheCopysPathTookOtherContent_LeavesThatContentsResultThere()
    {
        var gate = new StallGate();
        await using var harness = await CreateHarnessAsync(gate);
        harness.WriteFile("a.txt", "the report");
        var first = Assert.Single(await harness.RunToRecordedAsync(Ct));
        await harness.FollowUpAllAsync([first], Ct);
        harness.WriteFile("c.txt", "the other report");
        var second = Assert.Single(await harness.RunToRecordedAsync(Ct));
        await harness.FollowUpAllAsync([second], Ct);
        harness.WriteFile("b.txt", "the report"); // a copy of a.txt's version: the first batch's follow-up owes it that result
        Assert.Empty(await harness.PlanAsync(Ct));

        // The look for the copy read what waits and is slow to go on. Meanwhile b.txt is overwritten with c.txt's content: the next
        // scan makes it a copy of c.txt's version, and the second batch's follow-up delivers that result there.
        var slow = await FrozenAfterItsReadAsync(harness, gate, first);
        harness.WriteFile("b.txt", "the other report");
        File.SetLastWriteTimeUtc(Path.Combine(harness.SourcePath, "b.txt"), DateTime.UtcNow.AddMinutes(-5)); // settled at once
        Assert.Empty(await harness.PlanAsync(Ct));
        await harness.FollowUpAllAsync([second], Ct);
        var delivered = await harness.Database.ScalarAsync<string>("select job_id from orchestrator.file_version where relative_path = 'c.txt'");
        Assert.Equal((second, delivered), await WrittenAsync(harness, "b.txt"));

        gate.Release();
        await slow.WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Assert.Equal((second, delivered), await WrittenAsync(harness, "b.txt"));
        Assert.Equal([second], await harness.Database.ListAsync("select batch_id from orchestrator.follow_up_result where relative_path = 'b.txt'", r => r.GetInt64(0)));
        Assert.Equal(
            [("FollowedUp", delivered)],
            await harness.Database.ListAsync("select follow_up_state, job_id from orchestrator.file_copy", r => (r.GetString(0), (string?)r.GetString(1))));
    }

    // Renewal every third of an hour never comes during a test: the lease expires only when the test says so. cfg-PARSE_FAST
    // is a preset no source documents: the Sandbox refuses it unless told to accept it.
    private Task<PipelineHarness> CreateHarnessAsync(StallGate gate) => PipelineHarness.CreateAsync(
        server,
        new Dictionary<string, string?> { ["Leases:TimeToLive"] = "01:00:00" },
        new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(20), Guesses = { AcceptUndocumentedPresets = true } },
        services => StallGate.Install(services, gate));

    /// <summary>Starts the batch's follow-up and returns it once it has read what waits, frozen there until the gate is released.</summary>
    private static async Task<Task> FrozenAfterItsReadAsync(PipelineHarness harness, StallGate gate, long batchId)
    {
        gate.Arm(StallGate.At.FollowUpPendingRead);
        var followUp = harness.Get<FollowUpProcessor>().FollowUpAsync(batchId, Ct);
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        return followUp;
    }

    /// <summary>The operator changes the configuration and reprocesses: the same version goes in a second batch, whose result is delivered.</summary>
    private static async Task<long> ReprocessAsync(PipelineHarness harness)
    {
        harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Find(PipelineHarness.SourceName)!.ConfigurationId = "cfg-PARSE_FAST";
        Assert.Equal(1, (await harness.Get<Reprocessing>().ReprocessAsync(PipelineHarness.SourceName, ReprocessFilter.All, atMost: null, Ct)).Queued);
        var second = Assert.Single(await harness.RunToRecordedAsync(Ct));
        await harness.FollowUpAllAsync([second], Ct);
        return second;
    }

    /// <summary>The batch and job the FileSystem sink's <c>.json</c> of <paramref name="name"/> names.</summary>
    private static async Task<(long, string?)> WrittenAsync(PipelineHarness harness, string name)
    {
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(harness.Root, "output", PipelineHarness.SourceName, name + ".json"), Ct));
        return (json.RootElement.GetProperty("batch_id").GetInt64(), json.RootElement.GetProperty("job_id").GetString());
    }
}

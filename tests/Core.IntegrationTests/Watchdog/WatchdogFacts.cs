namespace BatchOrchestrator.Core.IntegrationTests.Watchdog;

/// <summary>The watchdog flags batches and jobs stuck beyond their age, once, in the log and on the row.</summary>
public sealed class WatchdogFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) => PipelineHarness.CreateAsync(
        server,
        new Dictionary<string, string?> { ["Watchdog:StuckAfter"] = "00:10:00", ["Watchdog:JobStuckAfter"] = "00:30:00" },
        new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(50), JobRunningSteps = 100_000 });

    [Fact]
    public async Task PollTick_FlagsABatchOpenBeyondStuckAfter_OnceInTheLogAndOnItsRow()
    {
        Harness.WriteFiles(2);
        var batches = await Harness.SubmitAllAsync(Ct);
        var tick = Harness.Get<PollTick>();
        await tick.RunAsync(Ct);
        Assert.True(await Harness.Database.ScalarAsync<bool>("select stuck_since is null from orchestrator.batch"));

        await Harness.Database.ExecuteAsync("update orchestrator.batch set created_at = now() - interval '11 minutes'");
        await tick.RunAsync(Ct);
        await tick.RunAsync(Ct);

        Assert.True(await Harness.Database.ScalarAsync<bool>("select stuck_since is not null from orchestrator.batch where id = $1", batches[0]));
        var warnings = Harness.Logs.Lines.Where(l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("is stuck", StringComparison.Ordinal)).ToList();
        var warning = Assert.Single(warnings);
        Assert.Contains($"Batch {batches[0]} of docs (bat-", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PollTick_FlagsJobsWhoseResultsAreNotFetchedBeyondJobStuckAfter_OncePerBatch()
    {
        Harness.WriteFiles(3);
        var batches = await Harness.RunToRecordedAsync(Ct);
        var tick = Harness.Get<PollTick>();
        await tick.RunAsync(Ct);
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where stuck_since is not null"));

        await Harness.Database.ExecuteAsync("update orchestrator.batch_result set recorded_at = now() - interval '31 minutes'");
        await tick.RunAsync(Ct);
        await tick.RunAsync(Ct);

        Assert.Equal(3L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_story where job_stuck_since is not null and state = 'Succeeded'"));
        var warning = Assert.Single(Harness.Logs.Lines, l => l.Contains("jobs whose results are still not fetched", StringComparison.Ordinal));
        Assert.Contains($"Batch {batches[0]} has 3 jobs", warning, StringComparison.Ordinal);
        Assert.Contains("pjb-", warning, StringComparison.Ordinal);
    }
}

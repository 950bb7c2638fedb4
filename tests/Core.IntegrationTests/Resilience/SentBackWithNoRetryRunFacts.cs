namespace BatchOrchestrator.Core.IntegrationTests.Resilience;

/// <summary>
/// With no retry run to schedule (<c>Pipeline:RetryRunAfter</c> 0), files a follow-up sends back wait for the next scheduled
/// run, and the log says so once per look, not once per chunk: a large batch's failures would fill it with the same line
/// (docs/resilience.md, "Files a follow-up sends again").
/// </summary>
public sealed class SentBackWithNoRetryRunFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) => PipelineHarness.CreateAsync(
        server, new Dictionary<string, string?> { ["FollowUp:ChunkSize"] = "1", ["Pipeline:RetryRunAfter"] = "00:00:00" });

    [Fact]
    public async Task ChunksEachSendingAFileBack_SayOnceThatNoRunIsScheduled()
    {
        Harness.WriteFile("a-slow.txt", "times out");
        Harness.WriteFile("b-slow.txt", "times out too");
        Harness.WriteFile("c-slow.txt", "times out as well");
        await Harness.Admin.SetFaultsAsync(new { fail_files_matching = "slow", file_failure_message = "Processing timed out after 1800 seconds" });
        var batch = Assert.Single(await Harness.RunToRecordedAsync(Ct));
        await FollowUpChunks.WaitForItsJobsToEndAsync(Harness, batch, Ct); // one look then goes through the three chunks

        await Harness.FollowUpAllAsync([batch], Ct);

        Assert.Equal(3, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Failed' and error_class = 'Transient'"));
        Assert.DoesNotContain(Harness.Scheduler.Delays, d => d.Step == "scheduled-run");
        Assert.Single(Harness.Logs.Lines, l => l.Contains("(Pipeline:RetryRunAfter is 0)", StringComparison.Ordinal));
        Assert.Single(Harness.Logs.Lines, l => l.Contains($"Batch {batch}: 2 more of its files go back to the queue, with no run scheduled", StringComparison.Ordinal));
    }
}

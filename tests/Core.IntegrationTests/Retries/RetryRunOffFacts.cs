namespace BatchOrchestrator.Core.IntegrationTests.Retries;

/// <summary>With <c>Pipeline:RetryRunAfter</c> 0, files a failed batch sent back wait for the schedule's next run.</summary>
public sealed class RetryRunOffFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) => PipelineHarness.CreateAsync(
        server, new Dictionary<string, string?> { ["Pipeline:RetryRunAfter"] = "00:00:00" });

    [Fact]
    public async Task ABatchFailedAsAWhole_SchedulesNoRun_WhenRetryRunAfterIsZero()
    {
        Harness.WriteFile("only.txt", "one file");
        await Harness.Admin.SetFaultsAsync(new { fail_next_batches = 1 });

        await Harness.RunToRecordedAsync(Ct);

        Assert.Equal("Discovered", await Harness.Database.ScalarAsync<string>("select state from orchestrator.file_version"));
        Assert.DoesNotContain(Harness.Scheduler.Calls, c => c.Step == "scheduled-run");
        Assert.Contains(Harness.Logs.Lines, m => m.Contains("they wait for the next scheduled run of", StringComparison.Ordinal));
    }
}

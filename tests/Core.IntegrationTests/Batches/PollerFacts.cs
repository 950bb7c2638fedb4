namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>The cluster's one poller over a real database and the Sandbox: claims, concurrency, backoff.</summary>
public sealed class PollerFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    // One batch may run at a time, so the others are THROTTLED; the Sandbox moves only when a test steps it,
    // so a status lasts until the test has seen it (a timer's step could end THROTTLED before a poll under load).
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) => PipelineHarness.CreateAsync(
        server,
        new Dictionary<string, string?>
        {
            ["Pipeline:MaxFilesPerBatch"] = "1",
            ["Polling:InitialDelay"] = "00:00:02",
            ["Polling:MaxDelay"] = "00:00:30",
            ["Polling:ThrottledDelay"] = "00:01:00",
        },
        new SandboxOptions { ManualSteps = true, MaxConcurrentBatches = 1 });

    [Fact]
    public async Task PollDueAsync_PollsEachDueBatchOnce_WhenTwoPollersTickTogether()
    {
        Harness.WriteFiles(6);
        var batches = await Harness.SubmitAllAsync(Ct);
        await Harness.Database.ExecuteAsync("update orchestrator.batch set next_poll_at = now() - interval '1 second'");
        var before = await Harness.Admin.CounterAsync("batch_gets_total");

        await Task.WhenAll(Harness.Get<BatchPoller>().PollDueAsync(Ct), Harness.Get<BatchPoller>().PollDueAsync(Ct));

        Assert.Equal(6, batches.Count);
        Assert.Equal(6, await Harness.Admin.CounterAsync("batch_gets_total") - before);
        Assert.Equal(6L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch where poll_count = 1"));
    }

    [Fact]
    public async Task PollDueAsync_PollsSoonAfterCreation_AndSlowlyWhileThrottled()
    {
        Harness.WriteFiles(3);
        await Harness.SubmitAllAsync(Ct);
        var firstGaps = await Harness.Database.ListAsync("select extract(epoch from next_poll_at - submitted_at)::float8 from orchestrator.batch", r => r.GetDouble(0));

        // One step: the first batch starts RUNNING and the other two wait THROTTLED behind it, and stay so
        // until the next step, which only this test can make.
        await Harness.Admin.StepAsync();
        await Harness.Database.ExecuteAsync("update orchestrator.batch set next_poll_at = now() where state in ('Pending', 'Throttled', 'Running')");
        await Harness.Get<BatchPoller>().PollDueAsync(Ct);
        Assert.Equal(
            [("Running", 1L), ("Throttled", 2L)],
            await Harness.Database.ListAsync("select state, count(*) from orchestrator.batch group by state order by state", r => (r.GetString(0), r.GetInt64(1))));

        var gaps = await Harness.Database.ListAsync(
            "select state, extract(epoch from next_poll_at - last_polled_at)::float8 from orchestrator.batch where state in ('Throttled', 'Running', 'Pending')",
            r => (r.GetString(0), r.GetDouble(1)));
        Assert.All(gaps.Where(g => g.Item1 == "Throttled"), g => Assert.InRange(g.Item2, 59, 61));
        Assert.All(gaps.Where(g => g.Item1 != "Throttled"), g => Assert.InRange(g.Item2, 2, 30));
        Assert.All(firstGaps, gap => Assert.InRange(gap, 1.5, 2.5)); // the first poll comes InitialDelay after creation
    }

    [Fact]
    public async Task AnInstanceWhoseClockRunsAhead_SchedulesItsPollsByTheDatabasesClock()
    {
        // The batch is created and polled on an instance an hour ahead (a VM resumed from a snapshot): its polls would
        // otherwise fall due an hour late on every instance, since the database hands them out by its own clock.
        var ahead = new ManualClock(DateTimeOffset.UtcNow + TimeSpan.FromHours(1));
        Harness.WriteFiles(1);
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        await ActivatorUtilities.CreateInstance<BatchSubmitter>(Harness.Services, (TimeProvider)ahead).SubmitAsync(batchId, Ct);
        var firstPollIn = await Harness.Database.ScalarAsync<double>("select extract(epoch from next_poll_at - submitted_at)::float8 from orchestrator.batch");
        await Harness.Database.ExecuteAsync("update orchestrator.batch set next_poll_at = now()");

        await ActivatorUtilities.CreateInstance<BatchPoller>(Harness.Services, (TimeProvider)ahead).PollDueAsync(Ct);

        Assert.InRange(firstPollIn, 1.9, 2.1); // Polling:InitialDelay, 2 s, both written by one statement
        Assert.InRange(await Harness.Database.ScalarAsync<double>("select extract(epoch from next_poll_at - last_polled_at)::float8 from orchestrator.batch"), 0, 30.5);
    }
}

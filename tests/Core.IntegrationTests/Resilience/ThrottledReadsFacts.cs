namespace BatchOrchestrator.Core.IntegrationTests.Resilience;

/// <summary>
/// Reads still answered 429 once a call's own retries are spent: a rate limit is a reason to wait, never a failure to
/// count, and its hint may only lengthen the wait, never shorten it below the schedule.
/// </summary>
public sealed class ThrottledReadsFacts(PostgresServerFixture server)
{
    private static readonly Dictionary<string, string?> NoBreaker = new() { ["LlamaCloud:CircuitBreaker:Enabled"] = "false" };

    [Fact]
    public async Task ResultReadsStillThrottled_WaitWithoutSpendingAttempts_AndDeliverOnceLetThrough()
    {
        await using var h = await PipelineHarness.CreateAsync(server, NoBreaker);
        h.WriteFiles(3);
        var batches = await h.RunToRecordedAsync(Ct);
        await h.Admin.SetFaultsAsync(new { too_many_requests_rate = 1.0, retry_after_ms = 10, routes = new[] { "GET /api/v2/parse/{job_id}" } });

        await h.Get<FollowUpProcessor>().FollowUpAsync(batches.Single(), Ct);

        // Before, each look spent an attempt: a minute or two of 429s ended finished, billed jobs FollowUpFailed.
        Assert.Equal(
            [("Recorded", 0)],
            await h.Database.ListAsync("select distinct follow_up_state, follow_up_attempts from orchestrator.batch_result", r => (r.GetString(0), r.GetInt32(1))));

        await h.Admin.SetFaultsAsync(new { too_many_requests_rate = 0.0 });
        await h.FollowUpAllAsync(batches, Ct);
        Assert.Equal(3L, await h.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'FollowedUp'"));
    }

    [Fact]
    public async Task AThrottledPollsShortHint_DoesNotBringItsNextPollForward()
    {
        await using var h = await PipelineHarness.CreateAsync(server, new Dictionary<string, string?>(NoBreaker) { ["Polling:InitialDelay"] = "00:00:05" });
        h.WriteFiles(1);
        await h.SubmitAllAsync(Ct);
        await h.Admin.SetFaultsAsync(new { too_many_requests_rate = 1.0, retry_after_ms = 0, routes = new[] { "GET /api/v2/batches/{batch_id}" } });
        await h.Database.ExecuteAsync("update orchestrator.batch set next_poll_at = now()");

        await h.Get<BatchPoller>().PollDueAsync(Ct);

        // "Retry-After: 0" once made the batch due again at once: every tick, six tries each, against a service throttling us.
        var pollIn = await h.Database.ScalarAsync<double>("select extract(epoch from next_poll_at - last_polled_at)::float8 from orchestrator.batch");
        Assert.True(pollIn >= 4.9, $"the next poll came {pollIn} s after a throttled one, before its schedule's 5 s");
        Assert.Equal(1, await h.Database.ScalarAsync<int>("select poll_count from orchestrator.batch"));
    }
}

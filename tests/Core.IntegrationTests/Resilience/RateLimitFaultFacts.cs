namespace BatchOrchestrator.Core.IntegrationTests.Resilience;

/// <summary>
/// 429s as LlamaCloud may send them, each test ending with the global invariants: without any Retry-After (the
/// SDK's backoff, time-scaled to milliseconds), and with a Retry-After of five minutes (handed back to the step,
/// which is rescheduled after it; the clock is moved on rather than waited for, and nothing is sent before).
/// </summary>
public sealed class RateLimitFaultFacts(PostgresServerFixture server)
{
    private const string UploadRoute = "POST /api/v1/beta/directories/{directory_id}/files/upload";

    [Fact]
    public async Task A429WithoutRetryAfter_IsRetriedWithBackoff_AndEveryFileIsUploadedAndBatchedOnce()
    {
        await using var h = await PauseHarness.CreateAsync(server);
        h.WriteFiles(5);
        await h.Admin.SetFaultsAsync(new { too_many_requests_burst = 4, retry_after_format = "none", routes = new[] { "/files/upload", "POST /api/v2/batches" } });

        await h.RunToRecordedAsync(Ct); // no step throws: four 429s are within one request's five retries

        var counters = await h.Admin.CountersAsync();
        Assert.Equal(4, counters.ResponsesByStatus.GetValueOrDefault("429"));
        Assert.Equal(5L, await h.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id is not null"));
        await Invariants.AssertHoldAsync(h.Database, h.Admin, h.Invariants());
    }

    [Fact]
    public async Task A429WithARetryAfterOfMinutes_ReschedulesTheStepAfterIt_AndNothingIsSentBefore()
    {
        var clock = new ShiftedTime();
        await using var h = await PipelineHarness.CreateAsync(
            server,
            new Dictionary<string, string?> { ["LlamaCloud:FirstRetryDelay"] = "00:00:00.010", ["LlamaCloud:MaxRetryDelay"] = "00:00:00.040" },
            services: s => s.AddSingleton<TimeProvider>(clock));
        h.WriteFiles(4);
        var batchId = await h.PlanOneBatchAsync(Ct);
        await h.Admin.SetFaultsAsync(new { too_many_requests_burst = 1, retry_after_ms = 300_000, retry_after_format = "seconds", routes = new[] { "/files/upload" } });

        await h.Get<BatchUploader>().UploadAsync(batchId, Ct);

        var wait = h.Scheduler.Delays.Single(d => d.Step == "scheduled-upload").Delay;
        Assert.InRange(wait, TimeSpan.FromSeconds(295), TimeSpan.FromSeconds(300));
        var sent = await h.Admin.CounterAsync("requests_by_route", UploadRoute);

        // A premature run (a stray job, the stalled-step sweep) sends nothing: the project's uploads wait out the hint.
        clock.Offset = TimeSpan.FromMinutes(4);
        await h.Get<BatchUploader>().UploadAsync(batchId, Ct);
        Assert.Equal(sent, await h.Admin.CounterAsync("requests_by_route", UploadRoute));
        Assert.InRange(h.Scheduler.Delays.Last().Delay, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(61));

        clock.Offset = TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1);
        // The database's clock cannot be moved on: the hold the 429 put on the project's shared slots is moved back instead.
        await h.Database.ExecuteAsync("update orchestrator.upload_pace set next_at = next_at - interval '5 minutes 1 second'");
        await h.Get<BatchUploader>().UploadAsync(batchId, Ct);
        Assert.Equal("Creating", await h.Database.ScalarAsync<string>("select state from orchestrator.batch"));
        clock.Offset = TimeSpan.Zero; // back to the database's clock, which decides when polls are due

        // The same for a create: handed back with the hint, the submit step scheduled after it.
        await h.Admin.SetFaultsAsync(new { too_many_requests_burst = 1, routes = new[] { "POST /api/v2/batches" } });
        await h.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        Assert.InRange(h.Scheduler.Delays.Last(d => d.Step == "scheduled-submit").Delay, TimeSpan.FromSeconds(295), TimeSpan.FromSeconds(300));
        Assert.Equal(0, await h.Admin.CounterAsync("batch_creates_total"));
        await h.Get<BatchSubmitter>().SubmitAsync(batchId, Ct); // as the scheduled job, once the wait is over
        await h.RecordAllAsync([batchId], Ct);

        Assert.Equal(4L, await h.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id is not null"));
        await Invariants.AssertHoldAsync(h.Database, h.Admin, h.Invariants());
    }
}

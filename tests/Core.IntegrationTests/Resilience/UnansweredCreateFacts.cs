namespace BatchOrchestrator.Core.IntegrationTests.Resilience;

/// <summary>
/// A create whose answer is lost while LlamaCloud still works on it (a gateway's 502) makes its batch later than
/// Hangfire's retry of the submit step comes back: the step waits LlamaCloud:UnansweredCreateWait, looking, before it
/// creates again, so the files are not sent, and billed, in a second batch (docs/resilience.md, "A create that was not answered").
/// </summary>
public sealed class UnansweredCreateFacts(PostgresServerFixture server)
{
    [Theory]
    [InlineData("parse_v2", "^POST /api/v2/batches$", "batch_creates_total")]
    [InlineData("v1_parse", "^POST /api/v1/beta/batch-processing$", "v1_batch_creates_total")]
    public async Task ASubmitStepWhoseCreateWasNotAnswered_WaitsForTheBatchItMayMake_AndAdoptsIt_RatherThanCreateASecond(string jobType, string route, string creates)
    {
        var settings = new Dictionary<string, string?> { ["Sources:0:JobType"] = jobType, ["LlamaCloud:CircuitBreaker:Enabled"] = "false" };
        if (jobType == "v1_parse")
        {
            settings["Sources:0:V1ParseTier"] = "fast";
        }

        await using var h = await PipelineHarness.CreateAsync(server, settings);
        var batchId = await UploadedBatchAsync(h);
        await h.Admin.SetFaultsAsync(new { hold_requests_matching = route, hold_answer_status = 502 });

        // The gateway answers 502 while LlamaCloud still makes the batch: the step fails, and Hangfire runs it again
        // about 2 s later, when a look finds nothing yet.
        await Assert.ThrowsAnyAsync<LlamaCloudException>(() => h.Get<BatchSubmitter>().SubmitAsync(batchId, Ct));
        await h.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);

        Assert.Equal(1L, await h.Admin.CounterAsync("requests_held_total")); // no second create was sent
        Assert.InRange(h.Scheduler.Delays.Single(d => d.Step == "scheduled-submit").Delay, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        Assert.Null(await h.Database.ScalarAsync<string?>("select remote_batch_id from orchestrator.batch where id = $1", batchId));

        // LlamaCloud makes the batch; the step, back after its wait, finds it and adopts it.
        await h.Admin.SetFaultsAsync(new { hold_requests_matching = (string?)null });
        await Eventually.WaitAsync(async () => await h.Admin.CounterAsync(creates) == 1, TimeSpan.FromSeconds(20), "the unanswered create to take effect");
        await h.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);

        Assert.NotNull(await h.Database.ScalarAsync<string?>("select remote_batch_id from orchestrator.batch where id = $1", batchId));
        Assert.Equal(1L, await h.Admin.CounterAsync(creates));
        Assert.Empty(await h.SubmitAllAsync(Ct)); // nothing left to send again
    }

    [Fact]
    public async Task ACreateWhoseFailureOpenedTheCircuit_IsStillWaitedOut_ForItMayHaveBeenMade()
    {
        // One failure in the window opens the project's circuit, for a second: the unanswered create ends as a pause,
        // yet it reached the server, which may still make its batch.
        await using var h = await PipelineHarness.CreateAsync(server, new Dictionary<string, string?>
        {
            ["LlamaCloud:CircuitBreaker:FailureRatio"] = "0.01",
            ["LlamaCloud:CircuitBreaker:MinimumThroughput"] = "2",
            ["LlamaCloud:CircuitBreaker:BreakDuration"] = "00:00:01",
        });
        var batchId = await UploadedBatchAsync(h);
        await h.Admin.SetFaultsAsync(new { hold_requests_matching = "^POST /api/v2/batches$", hold_answer_status = 502 });

        await h.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        Assert.NotNull(await h.Database.ScalarAsync<DateTime?>("select create_sent_at from orchestrator.batch where id = $1", batchId));

        // Once the circuit has closed, the step's look finds no batch yet: it waits rather than create a second.
        await Eventually.WaitAsync(
            async () =>
            {
                await h.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
                return h.Scheduler.Delays.Any(d => d.Step == "scheduled-submit" && d.Delay > TimeSpan.FromMinutes(9))
                    || await h.Admin.CounterAsync("requests_held_total") > 1;
            },
            TimeSpan.FromSeconds(30),
            "the step to look again once the circuit closed");
        Assert.Equal(1L, await h.Admin.CounterAsync("requests_held_total"));
    }

    [Fact]
    public async Task ASubmitStepWhoseCreateWasNotAnswered_CreatesAgain_OnceTheWaitIsOver()
    {
        await using var h = await PipelineHarness.CreateAsync(server, new Dictionary<string, string?>
        {
            ["LlamaCloud:CircuitBreaker:Enabled"] = "false",
            ["LlamaCloud:UnansweredCreateWait"] = "00:00:00",
        });
        var batchId = await UploadedBatchAsync(h);
        await h.Admin.SetFaultsAsync(new { error_rate = 1.0, error_status_codes = new[] { 502 }, routes = new[] { "POST /api/v2/batches" } });
        await Assert.ThrowsAnyAsync<LlamaCloudException>(() => h.Get<BatchSubmitter>().SubmitAsync(batchId, Ct));
        await h.Admin.SetFaultsAsync(new { error_rate = 0.0 });

        await h.Get<BatchSubmitter>().SubmitAsync(batchId, Ct); // the create was refused before it took effect: nothing to find

        Assert.NotNull(await h.Database.ScalarAsync<string?>("select remote_batch_id from orchestrator.batch where id = $1", batchId));
        Assert.Equal(1L, await h.Admin.CounterAsync("batch_creates_total"));
    }

    [Fact]
    public async Task AnInstanceWhoseClockRunsAhead_StillWaitsOutAnUnansweredCreate_ByTheDatabasesClock()
    {
        await using var h = await PipelineHarness.CreateAsync(server, new Dictionary<string, string?> { ["LlamaCloud:CircuitBreaker:Enabled"] = "false" });
        var batchId = await UploadedBatchAsync(h);
        await h.Admin.SetFaultsAsync(new { hold_requests_matching = "^POST /api/v2/batches$", hold_answer_status = 502 });
        await Assert.ThrowsAnyAsync<LlamaCloudException>(() => h.Get<BatchSubmitter>().SubmitAsync(batchId, Ct));

        // Hangfire's retry runs on another instance, whose clock is an hour ahead (a VM resumed, NTP not yet caught up).
        var ahead = new ManualClock(DateTimeOffset.UtcNow + TimeSpan.FromHours(1));
        await ActivatorUtilities.CreateInstance<BatchSubmitter>(h.Services, (TimeProvider)ahead).SubmitAsync(batchId, Ct);

        Assert.Equal(1L, await h.Admin.CounterAsync("requests_held_total")); // by its own clock the wait was over: a second batch, billed twice
        Assert.InRange(h.Scheduler.Delays.Single(d => d.Step == "scheduled-submit").Delay, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task ARefusalAfterAnUnansweredCreate_LeavesTheBatchUnconfirmed_NotRefused()
    {
        await using var h = await PipelineHarness.CreateAsync(server, new Dictionary<string, string?> { ["LlamaCloud:CircuitBreaker:Enabled"] = "false" });
        var batchId = await UploadedBatchAsync(h);
        // The create makes its batch, but its answer is a gateway's 502.
        await h.Admin.SetFaultsAsync(new { error_after_effect_rate = 1.0, error_status_codes = new[] { 502 }, routes = new[] { "POST /api/v2/batches" } });
        await Assert.ThrowsAnyAsync<LlamaCloudException>(() => h.Get<BatchSubmitter>().SubmitAsync(batchId, Ct));

        // The retry's look is refused (a 400, as LlamaCloud may answer a listing it cannot serve): nothing tells whether the batch exists.
        await h.Admin.SetFaultsAsync(new { error_after_effect_rate = 0.0, error_rate = 1.0, error_status_codes = new[] { 400 }, routes = new[] { "GET /api/v2/batches" } });
        await h.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);

        // Ended as refused, its files were Permanent failures and its reservations released: a retry --permanent billed them
        // again beside the batch LlamaCloud ran. As unconfirmed, the operator looks for it first, and the caps still count it.
        Assert.Equal(1, await h.Admin.CounterAsync("batch_creates_total"));
        Assert.Equal(
            [("Unconfirmed", 2L)],
            await h.Database.ListAsync(
                "select error_class, count(*) from orchestrator.file_version where batch_id = $1 and error_message like '%--unconfirmed%' group by error_class", r => (r.GetString(0), r.GetInt64(1)), batchId));
        Assert.Equal(
            (0L, 2L),
            (await h.Database.ListAsync(
                "select count(*) filter (where billed_credits = 0), count(*) filter (where billed_credits is null) from orchestrator.credit_charge where batch_id = $1",
                r => (r.GetInt64(0), r.GetInt64(1)), batchId)).Single());
    }

    /// <summary>Two files planned into one batch and uploaded: the batch waits for its create.</summary>
    private static async Task<long> UploadedBatchAsync(PipelineHarness h)
    {
        h.WriteFiles(2);
        var batchId = await h.PlanOneBatchAsync(Ct);
        await h.Get<BatchUploader>().UploadAsync(batchId, Ct);
        return batchId;
    }
}

namespace BatchOrchestrator.Core.IntegrationTests.Resilience;

/// <summary>
/// A sick or refusing provider pauses its project, one mechanism for every cause: an outage opens the
/// project's circuit breaker, a 402 or a quota error pauses it too. While paused no step starts new work,
/// no step throws (so no Hangfire retry is used), no file or job reference is marked failed; the pause is in
/// the shared table for every instance; a probe lifts it and the work finishes by itself.
/// </summary>
public sealed class ProviderPauseFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) => PauseHarness.CreateAsync(server);

    [Fact]
    public async Task AnOutageOpensTheCircuit_NothingFailsWhileItIsOpen_AndWorkResumesWhenAProbeGetsAnAnswer()
    {
        Harness.WriteFiles(6);
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        await Harness.Admin.SetFaultsAsync(new { error_rate = 1.0, error_status_codes = new[] { 503 } });

        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct); // returns: nothing for Hangfire to retry

        Assert.Equal([("default", "circuit_open")], await Harness.PausesAsync());
        Assert.Contains(Harness.Scheduler.Delays, d => d.Step == "scheduled-upload" && d.Argument == $"{batchId}");
        var sent = await Harness.RequestsAsync();
        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct); // while open, the step starts nothing
        Assert.Equal(sent, await Harness.RequestsAsync());

        await Harness.Admin.SetFaultsAsync(new { error_rate = 0.0 });
        await Eventually.WaitAsync(
            async () =>
            {
                await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct); // as its rescheduled job would, until the probe closes the circuit
                return await Harness.Database.ScalarAsync<string>("select state from orchestrator.batch where id = $1", batchId) == "Creating";
            },
            TimeSpan.FromSeconds(20),
            "the circuit to close and the uploads to finish");
        Assert.Empty(await Harness.PausesAsync());
        await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);

        // An outage while the batch runs: polls fail until the failures outweigh the successes of the last
        // seconds and the circuit opens again; the batch stays as it was.
        await Harness.Admin.SetFaultsAsync(new { error_rate = 1.0, error_status_codes = new[] { 502 } });
        await Eventually.WaitAsync(
            async () =>
            {
                await Harness.Database.ExecuteAsync("update orchestrator.batch set next_poll_at = now()");
                await Harness.Get<BatchPoller>().PollDueAsync(Ct);
                return await Harness.PausesAsync();
            },
            pauses => pauses.SequenceEqual([("default", "circuit_open")]),
            TimeSpan.FromSeconds(20),
            "the polls' failures to open the circuit");
        Assert.Equal("Pending", await Harness.Database.ScalarAsync<string>("select state from orchestrator.batch"));

        await Harness.Admin.SetFaultsAsync(new { error_rate = 0.0 });
        await Harness.RecordAllAsync([batchId], Ct);
        await Harness.FollowUpAllAsync([batchId], Ct);

        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Failed'"));
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select coalesce(sum(follow_up_attempts), 0) from orchestrator.batch_result"));
        await Invariants.AssertHoldAsync(Harness.Database, Harness.Admin, Harness.Invariants());
    }

    [Fact]
    public async Task APauseStaysInTheGaugesRead_WhenAProbeFindsLlamaCloudStillDown()
    {
        Harness.WriteFiles(2);
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        await Harness.Admin.SetFaultsAsync(new { error_rate = 1.0, error_status_codes = new[] { 503 } });
        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        var pauses = Harness.Get<ProjectPauses>();
        var pause = (await pauses.ListAsync(fresh: true, Ct)).Single(); // as the gauges' refresh reads it
        Assert.Equal(PauseReason.CircuitOpen, pause.Reason);

        // The probe claims its turn (a write that forgets the cache) and gets no answer: the gauges, which
        // read only what was last read, must go on saying "paused", or an alert waiting on them never fires.
        await Eventually.WaitAsync(
            async () =>
            {
                Assert.False(await Harness.Get<PauseProbe>().TryAsync(pause, Ct));
                return await Harness.Database.ScalarAsync<DateTime>("select next_probe_at from orchestrator.project_pause") > pause.NextProbeAt.UtcDateTime;
            },
            TimeSpan.FromSeconds(10),
            "the probe to be due, claimed and sent");
        Assert.Equal([(pause.Project, PauseReason.CircuitOpen)], pauses.LastRead.Select(p => (p.Project, p.Reason)));

        // Once LlamaCloud answers, the next read of the table shows the pause ended.
        await Harness.Admin.SetFaultsAsync(new { error_rate = 0.0 });
        await Eventually.WaitAsync(
            async () => await Harness.Get<PauseProbe>().TryAsync((await pauses.ListAsync(fresh: true, Ct)).Single(), Ct),
            TimeSpan.FromSeconds(20),
            "a probe to lift the pause");
        await pauses.ListAsync(fresh: true, Ct);
        Assert.Empty(pauses.LastRead);
    }

    [Fact]
    public async Task AProbeThatMeetsTheOutageAgain_OpensTheCircuitAgain_KeepingWhenThePauseBegan_AndFailsNoFile()
    {
        Harness.WriteFiles(2);
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        await Harness.Admin.SetFaultsAsync(new { error_rate = 1.0, error_status_codes = new[] { 503 } });
        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        var circuits = Harness.Get<ProjectCircuits>();
        var opened = Assert.IsType<ProjectPause>(circuits.Local("default"));
        var since = await Harness.Database.ScalarAsync<DateTime>("select since from orchestrator.project_pause");

        // Past the break, the probe is the breaker's trial (half-open); it fails, and the breaker opens again.
        var pauses = Harness.Get<ProjectPauses>();
        await Eventually.WaitAsync(
            async () =>
            {
                await Harness.Get<PauseProbe>().TryAsync((await pauses.ListAsync(fresh: true, Ct)).Single(), Ct);
                return circuits.Local("default") is { } again && again.NextProbeAt > opened.NextProbeAt;
            },
            TimeSpan.FromSeconds(20),
            "a probe to half-open the circuit and meet the outage");

        var reopened = Assert.IsType<ProjectPause>(circuits.Local("default"));
        Assert.Equal(opened.Since, reopened.Since); // one outage, not a new one each break
        Assert.Equal([("default", "circuit_open")], await Harness.PausesAsync());
        Assert.Equal(since, await Harness.Database.ScalarAsync<DateTime>("select since from orchestrator.project_pause"));
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state in ('Failed', 'Skipped')"));
        Assert.Equal(0, (await Harness.Admin.CountersAsync()).UploadsTotal);

        await Harness.Admin.SetFaultsAsync(new { error_rate = 0.0 });
        await Eventually.WaitAsync(
            async () =>
            {
                await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
                return await Harness.Database.ScalarAsync<string>("select state from orchestrator.batch where id = $1", batchId) == "Creating";
            },
            TimeSpan.FromSeconds(20),
            "the circuit to close and the uploads to finish");
        Assert.Null(circuits.Local("default"));
        Assert.Empty(await Harness.PausesAsync());
    }

    [Fact]
    public async Task FollowUpsDuringAnOutage_AreDeferred_NotCountedAsFailedLooks()
    {
        Harness.WriteFiles(3);
        var batches = await Harness.RunToRecordedAsync(Ct);
        await Harness.Admin.SetFaultsAsync(new { drop_connection_rate = 1.0, routes = new[] { "GET /api/v2/parse" } });

        await Harness.Get<FollowUpProcessor>().FollowUpAsync(batches.Single(), Ct);

        Assert.Equal([("default", "circuit_open")], await Harness.PausesAsync());
        Assert.Equal(
            [("Recorded", 0)],
            await Harness.Database.ListAsync("select distinct follow_up_state, follow_up_attempts from orchestrator.batch_result", r => (r.GetString(0), r.GetInt32(1))));

        await Harness.Admin.SetFaultsAsync(new { drop_connection_rate = 0.0 });
        await Harness.FollowUpAllAsync(batches, Ct);
        Assert.Equal(3L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'FollowedUp'"));
        Assert.Empty(await Harness.PausesAsync());
    }

    [Fact]
    public async Task CreditsRunningOut_PausesTheProjectForEveryInstance_AndToppingUpResumesIt()
    {
        Harness.WriteFiles(4);
        await Harness.Admin.SetFaultsAsync(new { payment_required = true });

        var first = await Harness.SubmitAllAsync(Ct); // uploads spend no credits; the create is refused with 402

        Assert.Equal([("default", "credits_exhausted")], await Harness.PausesAsync());
        Assert.Equal("Creating", await Harness.Database.ScalarAsync<string>("select state from orchestrator.batch"));
        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Failed'"));
        Assert.Contains(Harness.Scheduler.Delays, d => d.Step == "scheduled-submit" && d.Delay <= TimeSpan.FromSeconds(1.5));

        // Another instance (another machine on the same database) honours the pause it reads: its upload step starts nothing.
        Harness.WriteFiles(2, "more");
        var second = await Harness.PlanOneBatchAsync(Ct);
        var otherScheduler = new RecordingScheduler();
        await using (var other = Harness.AnotherInstance(otherScheduler))
        {
            await other.GetRequiredService<BatchUploader>().UploadAsync(second, Ct);
        }

        Assert.Equal(4, (await Harness.Admin.CountersAsync()).UploadsTotal);
        Assert.Contains(otherScheduler.Delays, d => d.Step == "scheduled-upload");

        // Topped up (the cost workstream's finite balance will do this with its admin endpoint): the probe sees it,
        // spends nothing, and the rescheduled steps go on.
        await Harness.Admin.SetFaultsAsync(new { payment_required = false });
        await Eventually.WaitAsync(
            async () =>
            {
                await Harness.Get<BatchSubmitter>().SubmitAsync(first.Single(), Ct);
                return await Harness.Database.ScalarAsync<string>("select state from orchestrator.batch where id = $1", first.Single()) != "Creating";
            },
            TimeSpan.FromSeconds(20),
            "the probe to lift the pause and the batch to be created");
        Assert.Empty(await Harness.PausesAsync());
        Assert.True(await Harness.Admin.CounterAsync("requests_by_route", "POST /api/v2/parse") >= 1); // the probe was sent …
        // … and started no job: the jobs there are are the created batch's own (its four files, as far as the
        // Sandbox has gone with it), none for the probe's file, which does not exist.
        Assert.InRange(await Harness.Admin.CounterAsync("parse_jobs_created_total"), 0L, 4L);

        await Harness.Get<BatchUploader>().UploadAsync(second, Ct);
        await Harness.Get<BatchSubmitter>().SubmitAsync(second, Ct);
        await Harness.RecordAllAsync([first.Single(), second], Ct);
        Assert.Equal(6L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id is not null"));
        await Invariants.AssertHoldAsync(Harness.Database, Harness.Admin, Harness.Invariants());
    }

    [Fact]
    public async Task AQuotaError_PausesTheProjectWithoutRetryingIt_AndWorkResumesOnceTheQuotaAllows()
    {
        Harness.WriteFiles(2);
        await Harness.Admin.SetFaultsAsync(new { quota_exceeded = true, quota_status_code = 429 });

        var batches = await Harness.SubmitAllAsync(Ct);

        Assert.Equal([("default", "quota_exceeded")], await Harness.PausesAsync());
        Assert.Equal(1, await Harness.Admin.CounterAsync("requests_by_route", "POST /api/v2/batches")); // a quota 429 is not retried in-process
        await Harness.Admin.SetFaultsAsync(new { quota_exceeded = false });
        await Eventually.WaitAsync(
            async () =>
            {
                await Harness.Get<BatchSubmitter>().SubmitAsync(batches.Single(), Ct);
                return await Harness.Database.ScalarAsync<string>("select state from orchestrator.batch") != "Creating";
            },
            TimeSpan.FromSeconds(20),
            "the quota pause to lift");
        await Harness.RecordAllAsync(batches, Ct);
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded'"));
    }
}

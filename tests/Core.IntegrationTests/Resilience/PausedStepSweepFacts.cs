namespace BatchOrchestrator.Core.IntegrationTests.Resilience;

/// <summary>
/// A long pause (credits out over a weekend, an outage of hours) keeps each batch's step to the one job that looks
/// again when the probe is due. The stalled-step sweep does not take such a step for a lost one: handed out again
/// every <c>Polling:StalledAfter</c>, each copy deferred itself too, and the jobs waiting on the pause grew by one per
/// batch every ten minutes for as long as it lasted. Once the pause is over, a step whose job was lost is handed out.
/// </summary>
public sealed class PausedStepSweepFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) => PauseHarness.CreateAsync(server);

    [Fact]
    public async Task TheSweep_HandsOutNoStepThePauseDeferred_AndHandsOutLostOnesOnceThePauseIsOver()
    {
        Harness.WriteFiles(4);
        await Harness.Admin.SetFaultsAsync(new { payment_required = true });
        var creating = (await Harness.SubmitAllAsync(Ct)).Single(); // the create is refused with 402: the submit step defers itself
        Harness.WriteFiles(2, "more");
        var planned = await Harness.PlanOneBatchAsync(Ct);
        await Harness.Get<BatchUploader>().UploadAsync(planned, Ct); // paused: the upload step defers itself
        Assert.Equal([("default", "credits_exhausted")], await Harness.PausesAsync());
        var handedOut = HandedOut();

        // Hours of pause: every sweep finds both batches without progress for longer than Polling:StalledAfter.
        var sweep = Harness.Get<StalledStepResumer>();
        for (var i = 0; i < 3; i++)
        {
            await Harness.Database.ExecuteAsync("update orchestrator.batch set updated_at = now() - interval '1 hour'");
            await sweep.ResumeAsync(Ct);
        }

        Assert.Equal(handedOut, HandedOut());

        // Topped up and probed; the deferred steps' jobs were lost meanwhile (a crash): the sweep hands each out again.
        await Harness.Admin.SetFaultsAsync(new { payment_required = false });
        await Harness.Database.ExecuteAsync("update orchestrator.project_pause set next_probe_at = now()");
        await Harness.Get<PauseProbe>().ProbeDueAsync(Ct);
        Assert.Empty(await Harness.PausesAsync());
        await Harness.Database.ExecuteAsync("update orchestrator.batch set updated_at = now() - interval '1 hour'");
        await sweep.ResumeAsync(Ct);
        Assert.Equal(
            [("submit", $"{creating}"), ("upload", $"{planned}")],
            Harness.Scheduler.Calls.Where(c => c.Step is "upload" or "submit").Skip(handedOut).Order());

        await Harness.Get<BatchSubmitter>().SubmitAsync(creating, Ct);
        await Harness.Get<BatchUploader>().UploadAsync(planned, Ct);
        await Harness.Get<BatchSubmitter>().SubmitAsync(planned, Ct);
        await Harness.RecordAllAsync([creating, planned], Ct);
        Assert.Equal(6L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id is not null"));
        await Invariants.AssertHoldAsync(Harness.Database, Harness.Admin, Harness.Invariants());
    }

    private int HandedOut() => Harness.Scheduler.Calls.Count(c => c.Step is "upload" or "submit");
}

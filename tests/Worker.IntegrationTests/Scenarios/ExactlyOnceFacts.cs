namespace BatchOrchestrator.Worker.IntegrationTests.Scenarios;

/// <summary>
/// Exactly-once uploads in the real host: the upload step is killed right after the upload took effect
/// and before it was recorded (the Sandbox performs the upload, then drops the connection), and
/// Hangfire's retry of the failed job must find every file by unique_id instead of uploading it again.
/// </summary>
public sealed class ExactlyOnceFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task AnUploadStepKilledAfterTheUploadAndBeforeRecordingIt_IsReconciledByTheRetry_AndNoFileIsUploadedTwice()
    {
        var settings = Env.Settings();
        // Every upload is cut off: with the breaker on, the circuit would open after a few and pause the rest,
        // which is not what this test is about (docs/resilience.md covers that).
        settings["LlamaCloud:CircuitBreaker:Enabled"] = "false";
        await using var host = await WorkerHost.StartAsync(Env.Root, settings);
        await Env.WriteFilesAsync(12);

        // Every upload takes effect, then its connection is cut before the response: the step dies exactly
        // between "uploaded" and "recorded", for every file.
        await Env.Admin.SetFaultsAsync(new { drop_after_effect_rate = 1.0, routes = new[] { "/files/upload" } });
        host.Services.GetRequiredService<IPipelineScheduler>().EnqueueRun(TestEnvironment.SourceName, RunTrigger.Manual);

        var failedJob = await Env.EventuallyAsync(
            () => Task.FromResult(ScheduledUploadRetry(host)),
            id => id is not null,
            Patience,
            "the upload job to fail and be scheduled for retry");
        Assert.Equal(12, (await Env.Admin.CountersAsync()).UploadsTotal);
        Assert.Equal(0L, await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where remote_file_id is not null"));
        Assert.Equal(12L, await Env.Database.ScalarAsync<long>(
            "select count(*) from orchestrator.file_version v join orchestrator.batch b on b.id = v.batch_id where v.id <= b.upload_intent_through")); // intents recorded

        // The API recovers; Hangfire's retry runs now rather than after its back-off.
        await Env.Admin.SetFaultsAsync(new { drop_after_effect_rate = 0.0 });
        host.Services.GetRequiredService<IBackgroundJobClient>().Requeue(failedJob);
        await Env.EventuallyAsync(
            () => Env.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded'"), n => n == 12, Patience, "every file to succeed");

        var counters = await Env.Admin.CountersAsync();
        Assert.Equal(12, counters.UploadsByUniqueId.Count);
        Assert.All(counters.UploadsByUniqueId.Values, n => Assert.Equal(1, n));
        Assert.Equal(1, counters.BatchCreatesTotal);
    }

    private static string? ScheduledUploadRetry(WorkerHost host) =>
        host.Services.GetRequiredService<JobStorage>().GetMonitoringApi().ScheduledJobs(0, 50)
            .Where(j => j.Value.Job?.Type.Name == "UploadBatchJob")
            .Select(j => j.Key)
            .FirstOrDefault();
}

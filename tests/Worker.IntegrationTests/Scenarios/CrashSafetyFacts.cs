namespace BatchOrchestrator.Worker.IntegrationTests.Scenarios;

/// <summary>
/// Crash-safe batch creation in the real host: the Sandbox creates each batch and then drops the
/// connection, so the submit job fails exactly between the POST and recording it. Hangfire's retry
/// must find the batch by its directory and adopt it; the Sandbox's create counter says whether
/// anything was created (and billed) twice.
/// </summary>
public sealed class CrashSafetyFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task ABatchCreateWhoseAnswerIsLost_IsAdoptedByTheRetriedJob_SoEachDirectoryGetsExactlyOneBatch()
    {
        // Every create takes effect and then loses its connection; listing (the adoption) is untouched.
        await Env.Admin.SetFaultsAsync(new { drop_after_effect_rate = 1.0, routes = new[] { "POST /api/v2/batches" } });
        var logs = new CapturingSink();
        await using var host = await WorkerHost.StartAsync(Env.Root, Settings(), logs);
        await Env.WriteFilesAsync(9);

        host.TriggerRun();
        await Env.EventuallyAsync(
            () => Env.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id is not null"),
            n => n == 9,
            Patience,
            "all nine files to end with job references");

        var counters = await Env.Admin.CountersAsync();
        Assert.Equal(3, counters.BatchCreatesByDirectory.Count);
        Assert.All(counters.BatchCreatesByDirectory.Values, n => Assert.Equal(1, n));
        Assert.True(counters.ResponsesByStatus.GetValueOrDefault("dropped") >= 3, "each create lost its answer");
        Assert.Equal(3, logs.Lines.Count(l => l.Contains("already created remotely", StringComparison.Ordinal) && l.Contains("adopting it", StringComparison.Ordinal)));
        var directories = await Env.Database.ListAsync("select remote_directory_id from orchestrator.batch where remote_batch_id is not null", r => r.GetString(0));
        Assert.Equal(counters.BatchCreatesByDirectory.Keys.Order(), directories.Order());
    }

    private Dictionary<string, string?> Settings()
    {
        var settings = Env.Settings();
        settings["Pipeline:MaxFilesPerBatch"] = "3";
        settings["Serilog:MinimumLevel:Default"] = "Information";
        settings["Serilog:MinimumLevel:Override:Npgsql"] = "Warning";
        return settings;
    }
}

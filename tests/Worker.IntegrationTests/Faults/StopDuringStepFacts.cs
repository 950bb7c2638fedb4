namespace BatchOrchestrator.Worker.IntegrationTests.Faults;

/// <summary>
/// SIGTERM, as `systemctl stop`, `docker stop` or a rolling deploy sends it, while the Worker uploads (docs/reliability.md
/// §4.2, R7), creates the batch, polls it or follows its jobs up. The stop lands inside the step by construction: the Sandbox holds the step's request
/// until the process has gone. The process must exit by itself within the host's shutdown time, leave the step for the
/// next process at once (its Hangfire job back in the queue, the batch's lease released, an upload or submit step's attempt not used up),
/// and the next process must finish every file, each uploaded and batched once.
/// </summary>
[Collection(ChildProcesses.Collection)]
public sealed class StopDuringStepFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    private const int Files = 3;

    [Theory]
    [InlineData("an upload", "^POST /api/v1/beta/directories/\\{directory_id\\}/files/upload$", true)]
    [InlineData("the batch's create", "^POST /api/v2/batches$", true)]
    [InlineData("a poll", "^GET /api/v2/batches/\\{batch_id\\}$", false)]
    [InlineData("a follow-up", "^GET /api/v2/parse/\\{job_id\\}", false)]
    public async Task AWorkerStoppedInsideAStep_ExitsInTime_AndLeavesTheStepToTheNextProcessAtOnce_UsingUpNoAttempt(string step, string request, bool countedStep)
    {
        await Env.WriteFilesAsync(Files);
        await Env.Admin.SetFaultsAsync(new { hold_requests_matching = request, hold_after_effect = false });
        TimeSpan stopping;
        await using (var first = WorkerProcess.Start(Env.Root, ["run"], Settings()))
        {
            await ChildWorker.WithOutputAsync(Env, first, () => Env.EventuallyAsync(
                async () => await Env.Admin.CounterAsync("requests_held_total") >= 1, ChildWorker.Patience, $"the Worker to be inside {step}"));
            var clock = Stopwatch.StartNew();
            await first.StopAsync(); // SIGTERM; after 60 s (the unit's TimeoutStopSec) it is killed, and exits 137
            stopping = clock.Elapsed;
            Assert.True(first.ExitCode == 0, $"exit code {first.ExitCode} after {stopping}:{Environment.NewLine}{string.Join(Environment.NewLine, first.Output.TakeLast(30))}");
        }

        // The host's own bound (Hangfire:Server:ShutdownTimeout + 15 s): a supervisor waits longer before it kills.
        Assert.True(stopping < new Worker.Hosting.JobServerOptions().ShutdownTimeout + TimeSpan.FromSeconds(15), $"stopping took {stopping}");
        // Leases and Hangfire's invisibility last a minute here: a job or lease left behind would still hold the step now.
        Assert.Equal(0, await Env.Database.ScalarAsync<long>("select count(*) from hangfire.jobqueue where fetchedat is not null"));
        Assert.Equal(0, await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.lease where expires_at > now()"));
        if (countedStep)
        {
            // Only the upload and submit steps count their runs (Pipeline:MaxStepAttempts); a submitted batch keeps its count.
            Assert.Equal(0, await Env.Database.ScalarAsync<int>("select coalesce(max(step_attempts), 0) from orchestrator.batch"));
        }

        await Env.Admin.SetFaultsAsync(new { hold_requests_matching = (string?)null });
        await using (var second = WorkerProcess.Start(Env.Root, ["run"], Settings()))
        {
            await ChildWorker.WithOutputAsync(Env, second, () => Env.EventuallyAsync(
                async () => await ChildWorker.EndedWithJobAsync(Env) == Files, ChildWorker.Patience, "every file to end with its job reference after the stop"));
            await second.StopAsync();
        }

        // The held request never took effect: each file reached LlamaCloud once, in one batch.
        await Invariants.AssertHoldAsync(Env.Database, Env.Admin, ChildWorker.Invariants(Env, kills: 0));
    }

    private Dictionary<string, string?> Settings()
    {
        var settings = ChildWorker.Settings(Env);
        settings["Leases:TimeToLive"] = "00:01:00";
        settings["Hangfire:Storage:InvisibilityTimeout"] = "00:01:00";
        settings["Serilog:MinimumLevel:Default"] = "Information";
        return settings;
    }
}

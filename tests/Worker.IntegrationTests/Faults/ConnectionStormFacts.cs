namespace BatchOrchestrator.Worker.IntegrationTests.Faults;

/// <summary>
/// <c>pg_terminate_backend</c> on every connection the Worker holds (its own and Hangfire's), every few seconds
/// while it scans, uploads, polls, records and follows up; then the global invariants. Time-scaled for CI: 20 s
/// of storms every 2 s (docs/reliability.md §4.2 R4 asks for a minute every 5 s; <c>BO_FULL_FAULTS=1</c> runs
/// that). The invariants are the same either way.
/// </summary>
[Collection(ChildProcesses.Collection)]
public sealed class ConnectionStormFacts(PostgresServerFixture server) : EnvironmentFacts(server, new BatchOrchestrator.Sandbox.SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(200) })
{
    private const int Files = 24;
    private const string WorkerApplication = "bo-storm-worker";
    private static readonly bool Full = Environment.GetEnvironmentVariable("BO_FULL_FAULTS") == "1";

    [Fact]
    public async Task EveryConnectionKilledEveryFewSeconds_TheWorkStillFinishes_AndTheInvariantsHold()
    {
        await Env.WriteFilesAsync(Files);
        var settings = ChildWorker.Settings(Env, schedule: "*/5 * * * * *");
        // Only the Worker's connections are terminated, never this test process's.
        settings["Database:ConnectionString"] = new NpgsqlConnectionStringBuilder(Env.Database.ConnectionString) { ApplicationName = WorkerApplication }.ConnectionString;
        var (lasting, every) = Full ? (TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5)) : (TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(2));

        var terminated = 0;
        await using (var worker = WorkerProcess.Start(Env.Root, ["run"], settings))
        {
            // The storm hits work in flight, not the start-up (which ends the process with one line naming the cause, by design).
            await ChildWorker.WithOutputAsync(Env, worker, () => Env.EventuallyAsync(
                () => Env.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version"), n => n > 0, ChildWorker.Patience, "the first scan"));
            await using (var storm = NpgsqlDataSource.Create(Env.Database.ConnectionString))
            {
                var end = DateTime.UtcNow + lasting;
                while (DateTime.UtcNow < end)
                {
                    await Task.Delay(every, Ct); // the storm's own pace, not a wait for a condition
                    await using var kill = storm.CreateCommand(
                        "select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()");
                    kill.Parameters.Add(new NpgsqlParameter<string> { TypedValue = WorkerApplication });
                    terminated += Convert.ToInt32(await kill.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            Assert.False(worker.HasExited, string.Join(Environment.NewLine, worker.Errors.TakeLast(20))); // the process lived through it
            await ChildWorker.WithOutputAsync(Env, worker, () => Env.EventuallyAsync(
                async () => await ChildWorker.EndedWithJobAsync(Env) == Files
                    && await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'Recorded'") == 0,
                ChildWorker.Patience,
                "every file to end with its job reference and its result fetched after the storm"));
            await worker.StopAsync();
        }

        Assert.True(terminated > 0, "the storm terminated none of the Worker's connections");
        await Invariants.AssertHoldAsync(Env.Database, Env.Admin, ChildWorker.Invariants(Env, kills: 0));
    }
}

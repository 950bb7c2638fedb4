namespace BatchOrchestrator.Worker.IntegrationTests.Faults;

/// <summary>
/// kill -9 of the Worker inside a step, then a second process: during batch creation (after LlamaCloud created
/// it, before we heard), during polling, during result recording and during follow-up. The kill lands inside
/// the step by construction, not by timing: the Sandbox holds that step's request until the test has killed
/// the process. The second process must finish everything, and the global invariants must hold.
/// </summary>
[Collection(ChildProcesses.Collection)]
public sealed class KillDuringStepFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    private const int Files = 6;

    [Theory]
    [InlineData("batch creation", "^POST /api/v2/batches$", true)]
    [InlineData("polling", "^GET /api/v2/batches/\\{batch_id\\}$", false)]
    [InlineData("result recording", "^GET /api/v2/batches/\\{batch_id\\}\\?expand=results$", false)]
    [InlineData("follow-up", "^GET /api/v2/parse/\\{job_id\\}", false)]
    public async Task AWorkerKilledInsideAStep_IsFinishedByTheNextProcess_AndTheInvariantsHold(string step, string request, bool afterEffect)
    {
        await Env.WriteFilesAsync(Files);
        await Env.Admin.SetFaultsAsync(new { hold_requests_matching = request, hold_after_effect = afterEffect });
        await using (var first = WorkerProcess.Start(Env.Root, ["run"], ChildWorker.Settings(Env)))
        {
            await ChildWorker.WithOutputAsync(Env, first, () => Env.EventuallyAsync(
                async () => await Env.Admin.CounterAsync("requests_held_total") >= 1, ChildWorker.Patience, $"the Worker to be inside {step}"));
            await first.KillAsync(); // SIGKILL while the step's request is held: no shutdown, leases and Hangfire's job left as they were
        }

        await Env.Admin.SetFaultsAsync(new { hold_requests_matching = (string?)null });
        await using (var second = WorkerProcess.Start(Env.Root, ["run"], ChildWorker.Settings(Env)))
        {
            await ChildWorker.WithOutputAsync(Env, second, () => Env.EventuallyAsync(
                async () => await ChildWorker.EndedWithJobAsync(Env) == Files
                    && await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'Recorded'") == 0,
                ChildWorker.Patience,
                $"every file to end with its job reference and its result fetched after a kill during {step}"));
            await second.StopAsync();
        }

        await Invariants.AssertHoldAsync(Env.Database, Env.Admin, ChildWorker.Invariants(Env, kills: 1));
    }
}

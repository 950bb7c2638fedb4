namespace BatchOrchestrator.Worker.IntegrationTests.Costs;

/// <summary>
/// A spending cap holds against what LlamaCloud bills, not just against our own ledger: a cap of
/// <see cref="Cap"/> credits, a folder worth three times as much, two Worker processes on one database
/// and one Sandbox, and one of them killed with SIGKILL after the first batch was created and started
/// again. The Sandbox's own record of billed credits is the judge.
/// </summary>
[Collection(ChildProcesses.Collection)]
public sealed class CapUnderKillFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    // Text files of a few bytes: one page each at the default preset (agentic, 10 credits a page).
    private const int Files = 30;
    private const decimal CreditsPerFile = 10;
    private const decimal Cap = Files * CreditsPerFile / 3;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task ACapOfNAgainstAFolderWorth3N_TwoInstancesAndAKill_TheSandboxBillsAtMostN()
    {
        await UtcMidnight.KeepClearAsync(3 * Patience + TimeSpan.FromMinutes(1)); // the cap is a Day cap
        await Env.WriteFilesAsync(Files);
        await using var steady = WorkerProcess.Start(Env.Root, ["run"], Settings());
        await using (var killed = WorkerProcess.Start(Env.Root, ["run"], Settings()))
        {
            await ChildWorker.WithOutputAsync(Env, [steady, killed], Env.EventuallyAsync(() => Env.Admin.CounterAsync("batch_creates_total"), n => n >= 1, Patience, "a first batch to be created"));
            await killed.KillAsync(); // SIGKILL in the middle: batches open, reservations made, follow-ups pending
        }

        await using var restarted = WorkerProcess.Start(Env.Root, ["run"], Settings());
        var taken = (long)(Cap / CreditsPerFile);
        await ChildWorker.WithOutputAsync(Env, [steady, restarted], Env.EventuallyAsync(
            () => Env.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id is not null"),
            n => n >= taken,
            Patience,
            $"{taken} files to be processed within the cap"));

        // More scheduled runs after the cap is reached: each plans the held files again and must hold them again.
        var runsThen = await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.run");
        await ChildWorker.WithOutputAsync(Env, [steady, restarted], Env.EventuallyAsync(
            () => Env.Database.ScalarAsync<long>("select count(*) from orchestrator.run where finished_at is not null"),
            n => n >= runsThen + 3,
            Patience,
            "three more runs to plan against the reached cap"));
        await Env.EventuallyAsync(() => Env.Database.ScalarAsync<long>("select count(*) from orchestrator.credit_charge where billed_credits is null"), n => n == 0, Patience, "every charge to be settled");

        var billed = await Env.Admin.CreditsBilledAsync();
        var ledger = await Env.Database.ListAsync(
            "select c.run_id || ' fv' || c.file_version_id || ' b' || c.batch_id || ' r' || c.reserved_credits || ' billed ' || coalesce(c.billed_credits::text, '-') || ' ' || fv.state || ' at ' || c.reserved_at from orchestrator.credit_charge c join orchestrator.file_version fv on fv.id = c.file_version_id order by c.reserved_at, c.file_version_id",
            r => r.GetString(0));
        ledger.AddRange(await Env.Database.ListAsync("select distinct coalesce(held_reason, '-') || ' run ' || coalesce(held_run_id::text, '-') from orchestrator.file_version", r => r.GetString(0)));
        ledger.AddRange(await Env.Database.ListAsync("select id || ' ' || trigger || ' ' || state || ' ' || started_at from orchestrator.run order by id", r => r.GetString(0)));
        Assert.True(billed <= Cap, $"the Sandbox billed {billed} credits under a cap of {Cap}:\n{string.Join('\n', ledger)}");
        Assert.Equal(Cap, billed); // and the cap is used, not just respected
        Assert.Equal(taken, await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id is not null"));
        Assert.Equal(Files - taken, await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Held' and held_cap is not null and held_reason is not null"));
        Assert.Equal(Cap, await Env.Database.ScalarAsync<decimal>("select coalesce(sum(billed_credits), 0) from orchestrator.credit_charge"));
    }

    private Dictionary<string, string?> Settings()
    {
        var settings = ChildWorker.KillSettings(Env);
        settings["Costs:Caps:0:Credits"] = Cap.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Costs:Caps:0:Window"] = "Day";
        settings["Serilog:MinimumLevel:Default"] = "Information";
        settings["Serilog:MinimumLevel:Override:Npgsql"] = "Warning";
        settings["Serilog:MinimumLevel:Override:Hangfire"] = "Warning";
        return settings;
    }
}

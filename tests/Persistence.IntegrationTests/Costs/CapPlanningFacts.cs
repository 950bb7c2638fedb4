using BatchOrchestrator.Core.Costs;

namespace BatchOrchestrator.Persistence.IntegrationTests.Costs;

/// <summary>Caps hold where versions are committed to batches: reserved in the planning transaction, serialised per scope.</summary>
public sealed class CapPlanningFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    private static readonly PlannedTier Agentic = new("cfg-PARSE_AGENTIC", "agentic", 10);

    private NpgsqlRunStore Runs => new(Database.DataSource, Microsoft.Extensions.Options.Options.Create(new Core.Costs.CostOptions()));
    private NpgsqlBatchPlanStore Plans => new(Database.DataSource);

    [Fact]
    public async Task PlanBatchesAsync_ReservesWhatFits_AndHoldsTheRestWithTheCapAndReason_UntilApproved()
    {
        await SeedAsync("docs", 10, pages: 10); // 100 credits each at 10 a page
        var cap = new CapCheck(CapOptions.GlobalScope, CapWindow.Day, 450, DateTimeOffset.UtcNow.Date);
        var first = await PlanAsync("docs", cap);

        Assert.Equal(4, first.Tally.Taken);
        Assert.Equal(6, first.Tally.Held);
        Assert.Equal(400m, await Database.ScalarAsync<decimal>("select sum(reserved_credits) from orchestrator.credit_charge"));
        Assert.Equal(6L, await Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Held' and held_cap = 'global/Day' and held_reason like 'held by the Day cap on global%'"));

        var second = await PlanAsync("docs", cap);
        Assert.Empty(second.BatchIds); // 50 credits of room: the next file (100) does not fit
        Assert.Equal(6, second.Tally.Held);
        var firstRun = await Database.ScalarAsync<long>("select min(id) from orchestrator.run");
        Assert.Equal([KeyValuePair.Create(firstRun, 6)], second.Tally.HeldByRun); // held again, still under the run that first held them

        await Database.ExecuteAsync("update orchestrator.file_version set state = 'Discovered', cap_approved_at = now() where id = (select min(id) from orchestrator.file_version where state = 'Held')");
        var approved = await PlanAsync("docs", cap);
        Assert.Equal(1, approved.Tally.Taken);
        Assert.Equal(1, approved.Tally.Approved);
        Assert.Equal(500m, await Database.ScalarAsync<decimal>("select sum(reserved_credits) from orchestrator.credit_charge"));
        Assert.Equal(0L, await Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where cap_approved_at is not null"));
    }

    [Fact]
    public async Task PlanBatchesAsync_CountsBilledCreditsInsteadOfTheReservation_AndReleasesAttemptsThatGotNoJob()
    {
        await SeedAsync("docs", 3, pages: 10);
        var cap = new CapCheck("docs", CapWindow.Month, 300, DateTimeOffset.UtcNow.AddDays(-1));
        var first = await PlanAsync("docs", cap);
        Assert.Equal(3, first.Tally.Taken);

        // One job billed less than estimated; one file got no job at all (its batch has ended): 40 + 0 + 100.
        await Database.ExecuteAsync("update orchestrator.credit_charge set billed_credits = 40 where file_version_id = (select min(id) from orchestrator.file_version)");
        await Database.ExecuteAsync("update orchestrator.credit_charge set billed_credits = 0 where file_version_id = (select max(id) from orchestrator.file_version)");
        await SeedAsync("docs", 2, pages: 8, offset: 100); // 80 each: 140 + 80 fits 300, 140 + 160 does too

        var second = await PlanAsync("docs", cap);

        Assert.Equal(2, second.Tally.Taken);
        Assert.Equal(0, second.Tally.Held);
    }

    [Fact]
    public async Task TwoSourcesPlanningAtOnceUnderOneGlobalCap_NeverReserveMoreThanItTogether()
    {
        await SeedAsync("left", 30, pages: 1);
        await SeedAsync("right", 30, pages: 1, offset: 1_000);
        var cap = new CapCheck(CapOptions.GlobalScope, CapWindow.Day, 255, DateTimeOffset.UtcNow.AddHours(-1));

        // Each planning reads the cap's use before it writes: without the scope lock both would see 0 used.
        await Task.WhenAll(PlanAsync("left", cap), PlanAsync("right", cap));

        var reserved = await Database.ScalarAsync<decimal>("select sum(reserved_credits) from orchestrator.credit_charge");
        Assert.True(reserved <= 255m, $"reserved {reserved} under a cap of 255");
        Assert.Equal(250m, reserved); // 25 files of 10 credits fit, whichever source planned first
        Assert.Equal(35L, await Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Held'"));
    }

    [Fact]
    public async Task EscalatedVersions_GoInABatchOfTheirOwn_WithTheFallbackConfigurationAndItsPrice()
    {
        await SeedAsync("docs", 4, pages: 2);
        await Database.ExecuteAsync("update orchestrator.file_version set escalated_at = now() where id in (select id from orchestrator.file_version order by id limit 1)");
        var fallback = new PlannedTier("cfg-PARSE_PLUS", "agentic_plus", 45);

        var outcome = await PlanAsync("docs", null, fallback);

        Assert.Equal(2, outcome.BatchIds.Count);
        var batches = await Database.ListAsync("select configuration_id || ':' || tier || ':' || escalation || ':' || file_count from orchestrator.batch order by id", r => r.GetString(0));
        Assert.Equal(["cfg-PARSE_AGENTIC:agentic:false:3", "cfg-PARSE_PLUS:agentic_plus:true:1"], batches);
        Assert.Equal(90m, await Database.ScalarAsync<decimal>("select reserved_credits from orchestrator.credit_charge where escalation"));
    }

    [Fact]
    public async Task ARunOfMoreCandidatesThanAPage_FillsItsBatchesAcrossPages_AndHoldsWhatTheCapDoesNotTake()
    {
        // Planning reads 10,000 candidates at a time: 10,005 at 10 credits each, under a cap with room for 10,000.
        await SeedAsync("docs", 10_005, pages: 1);
        var cap = new CapCheck(CapOptions.GlobalScope, CapWindow.Day, 100_000, DateTimeOffset.UtcNow.Date);

        var outcome = await PlanAsync("docs", cap, maxFilesPerBatch: 3_000);

        Assert.Equal((10_000, 5, "global/Day"), (outcome.Tally.Taken, outcome.Tally.Held, outcome.Tally.HeldBy));
        Assert.Equal(
            [3_000, 3_000, 3_000, 1_000],
            await Database.ListAsync("select file_count from orchestrator.batch order by id", r => r.GetInt32(0)));
        Assert.Equal(outcome.BatchIds, await Database.ListAsync("select id from orchestrator.batch order by id", r => r.GetInt64(0)));
        Assert.Equal(
            [3_000L, 3_000L, 3_000L, 1_000L],
            await Database.ListAsync("select count(*) from orchestrator.file_version where batch_id is not null group by batch_id order by batch_id", r => r.GetInt64(0)));
        Assert.Equal(10_000L, await Database.ScalarAsync<long>("select count(distinct file_version_id) from orchestrator.credit_charge"));
        Assert.Equal(
            5L,
            await Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Held' and id > (select max(id) - 5 from orchestrator.file_version)"));
    }

    private async Task<PlanOutcome> PlanAsync(string source, CapCheck? cap, PlannedTier? fallback = null, int maxFilesPerBatch = 1_000)
    {
        var runId = await Runs.StartRunAsync(source, RunTrigger.Manual, Ct);
        var cost = new CostPlan(Agentic, fallback, cap is null ? [] : [cap]);
        return await Plans.PlanBatchesAsync(runId, new BatchPlan(source, "parse_v2", "cfg-PARSE_AGENTIC", maxFilesPerBatch, Cost: cost), Ct);
    }

    // Each version with its file's look, as a scan leaves them: a held version whose file is not in the folder is let go.
    private Task SeedAsync(string source, int count, int pages, int offset = 0) => Database.ExecuteAsync(
        """
        with looks as (
            insert into orchestrator.source_file (source_name, relative_path, size, mtime_ticks, first_seen_at, sha256)
            select $1, 'f' || i || '.pdf', 1000, 1000, now(), sha256(($1 || i)::bytea)
            from generate_series($3 + 1, $3 + $2) as i
        )
        insert into orchestrator.file_version (source_name, relative_path, size, mtime_ticks, sha256, dedupe_key, state, pages, pages_basis)
        select $1, 'f' || i || '.pdf', 1000, 1000, sha256(($1 || i)::bytea), encode(sha256(($1 || i)::bytea), 'hex'), 'Discovered', $4, 'pdf'
        from generate_series($3 + 1, $3 + $2) as i
        """,
        source,
        count,
        offset,
        pages);
}

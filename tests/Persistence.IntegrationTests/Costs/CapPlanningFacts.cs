using BatchOrchestrator.Core.Costs;

namespace BatchOrchestrator.Persistence.IntegrationTests.Costs;

/// <summary>Caps hold where versions are committed to batches: reserved in the planning transaction, serialised per scope.</summary>
public sealed class CapPlanningFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    private static readonly PlannedTier Agentic = new("cfg-PARSE_AGENTIC", "agentic", 10);

    private NpgsqlRunStore Runs => new(Database.DataSource);
    private NpgsqlBatchPlanStore Plans => new(Database.DataSource);

    [Fact]
    public async Task PlanBatchesAsync_ReservesWhatFits_AndHoldsTheRestWithTheCapAndReason_UntilApproved()
    {
        await SeedAsync("docs", 10, pages: 10); // 100 credits each at 10 a page
        var cap = new CapCheck(CapOptions.GlobalScope, CapWindow.Day, 450, DateTimeOffset.UtcNow.Date);
        var first = await PlanAsync("docs", cap);

        Assert.Equal(4, first.Allocation.Taken.Count);
        Assert.Equal(6, first.Allocation.Held.Count);
        Assert.Equal(400m, await Database.ScalarAsync<decimal>("select sum(reserved_credits) from orchestrator.credit_charge"));
        Assert.Equal(6L, await Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Held' and held_cap = 'global/Day' and held_reason like 'held by the Day cap on global%'"));

        var second = await PlanAsync("docs", cap);
        Assert.Empty(second.BatchIds); // 50 credits of room: the next file (100) does not fit
        Assert.Equal(6, second.Allocation.Held.Count);

        await Database.ExecuteAsync("update orchestrator.file_version set state = 'Discovered', cap_approved_at = now() where id = (select min(id) from orchestrator.file_version where state = 'Held')");
        var approved = await PlanAsync("docs", cap);
        Assert.Single(approved.Allocation.Taken);
        Assert.True(approved.Allocation.Taken[0].Approved);
        Assert.Equal(500m, await Database.ScalarAsync<decimal>("select sum(reserved_credits) from orchestrator.credit_charge"));
        Assert.Equal(0L, await Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where cap_approved_at is not null"));
    }

    [Fact]
    public async Task PlanBatchesAsync_CountsBilledCreditsInsteadOfTheReservation_AndReleasesAttemptsThatGotNoJob()
    {
        await SeedAsync("docs", 3, pages: 10);
        var cap = new CapCheck("docs", CapWindow.Month, 300, DateTimeOffset.UtcNow.AddDays(-1));
        var first = await PlanAsync("docs", cap);
        Assert.Equal(3, first.Allocation.Taken.Count);

        // One job billed less than estimated; one file got no job at all (its batch has ended): 40 + 0 + 100.
        await Database.ExecuteAsync("update orchestrator.credit_charge set billed_credits = 40 where file_version_id = (select min(id) from orchestrator.file_version)");
        await Database.ExecuteAsync("update orchestrator.credit_charge set billed_credits = 0 where file_version_id = (select max(id) from orchestrator.file_version)");
        await SeedAsync("docs", 2, pages: 8, offset: 100); // 80 each: 140 + 80 fits 300, 140 + 160 does too

        var second = await PlanAsync("docs", cap);

        Assert.Equal(2, second.Allocation.Taken.Count);
        Assert.Empty(second.Allocation.Held);
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

    private async Task<PlanOutcome> PlanAsync(string source, CapCheck? cap, PlannedTier? fallback = null)
    {
        var runId = await Runs.StartRunAsync(source, RunTrigger.Manual, Ct);
        var cost = new CostPlan(Agentic, fallback, cap is null ? [] : [cap]);
        return await Plans.PlanBatchesAsync(runId, new BatchPlan(source, "parse_v2", "cfg-PARSE_AGENTIC", 1_000, Cost: cost), Ct);
    }

    private Task SeedAsync(string source, int count, int pages, int offset = 0) => Database.ExecuteAsync(
        """
        insert into orchestrator.file_version (source_name, relative_path, size, mtime_ticks, sha256, dedupe_key, state, pages, pages_basis)
        select $1, 'f' || i || '.pdf', 1000, 1000, sha256(($1 || i)::bytea), encode(sha256(($1 || i)::bytea), 'hex'), 'Discovered', $4, 'pdf'
        from generate_series($3 + 1, $3 + $2) as i
        """,
        source,
        count,
        offset,
        pages);
}

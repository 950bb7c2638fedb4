using BatchOrchestrator.Core.Planning;

namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>
/// A mirror's cost over a real database and the Sandbox: its batch parses every file in its directory, so every
/// one is reserved, settled by what was billed, and capped; a batch that does not fit a cap is held whole.
/// </summary>
public sealed class MirrorCostFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) =>
        PipelineHarness.CreateAsync(server, CapSettings.TwoFilesADay(("Sources:0:Layout", "Mirror")));

    [Fact]
    public async Task AMirrorBatch_ReservesEveryFileItParses_SettlesByWhatWasBilled_AndIsHeldWhole_WhenItDoesNotFitACap_UntilApproved()
    {
        Harness.WriteFile("a.txt", "alpha");
        Harness.WriteFile("b.txt", "beta");
        var first = await Harness.RunOneBatchToFollowedUpAsync(Ct);
        Assert.Equal(
            [("a.txt", 10m, 10m), ("b.txt", 10m, 10m)],
            await Harness.Database.ListAsync(
                """
                select v.relative_path, c.reserved_credits, c.billed_credits from orchestrator.credit_charge c
                join orchestrator.file_version v on v.id = c.file_version_id where c.batch_id = $1 order by 1
                """,
                r => (r.GetString(0), r.GetDecimal(1), r.GetDecimal(2)), first));

        // A third file: the next batch parses all three again (30 credits), more than the 5 left of the day's 25.
        Harness.WriteFile("c.txt", "gamma");
        var preview = await Harness.Get<PlanPreview>().PreviewAsync(Source, Ct);
        Assert.Equal((30m, 0, 1, 0), (preview.Credits, preview.Taken, preview.Held, preview.Batches));
        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);

        var run = await Harness.Database.ScalarAsync<long>("select max(id) from orchestrator.run");
        Assert.Equal(1L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch"));
        var held = (await Harness.Database.ListAsync(
            "select state, held_cap, held_run_id, held_reason from orchestrator.file_version where relative_path = 'c.txt'",
            r => (State: r.GetString(0), Cap: r.GetString(1), Run: r.GetInt64(2), Reason: r.GetString(3)))).Single();
        Assert.Equal(("Held", "docs/Day", run), (held.State, held.Cap, held.Run));
        Assert.Contains("the mirror's batch ~30 credits for 3 files", held.Reason, StringComparison.Ordinal);
        Assert.Equal(20m, await Harness.Database.ScalarAsync<decimal>("select sum(coalesce(billed_credits, reserved_credits)) from orchestrator.credit_charge"));

        // An operator's approval lets the whole batch go, every file in it reserved.
        Assert.Equal(1, await Harness.Get<OperatorCommands>().ApproveHeldAsync(run, Ct));
        var second = await Harness.RunOneBatchToFollowedUpAsync(Ct);
        Assert.Equal(
            [("a.txt", 10m, true), ("b.txt", 10m, true), ("c.txt", 10m, true)],
            await Harness.Database.ListAsync(
                """
                select v.relative_path, c.billed_credits, c.approved from orchestrator.credit_charge c
                join orchestrator.file_version v on v.id = c.file_version_id where c.batch_id = $1 order by 1
                """,
                r => (r.GetString(0), r.GetDecimal(1), r.GetBoolean(2)), second));
        Assert.Equal(50m, await Harness.Admin.CreditsBilledAsync());
    }

    private SourceOptions Source => Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources[0];
}

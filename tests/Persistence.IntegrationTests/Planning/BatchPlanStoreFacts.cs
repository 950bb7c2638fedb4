namespace BatchOrchestrator.Persistence.IntegrationTests.Planning;

public sealed class BatchPlanStoreFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    private NpgsqlRunStore Runs => new(Database.DataSource, Microsoft.Extensions.Options.Options.Create(new Core.Costs.CostOptions()));
    private NpgsqlBatchPlanStore Plans => new(Database.DataSource);

    [Fact]
    public async Task PlanBatchesAsync_SplitsNewVersionsIntoBatchesOfAtMostTheLimit_EachWithItsOwnDirectoryAndUniqueIds()
    {
        await Seed.DiscoveredVersionsAsync(Database, "docs", 2_500);
        var runId = await Runs.StartRunAsync("docs", RunTrigger.Manual, Ct);

        var batchIds = (await Plans.PlanBatchesAsync(runId, new BatchPlan("docs", "parse_v2", "cfg-PARSE_AGENTIC", 1_000), Ct)).BatchIds;

        Assert.Equal(3, batchIds.Count);
        var sizes = await Database.ListAsync("select file_count from orchestrator.batch order by id", r => r.GetInt32(0));
        Assert.Equal([1_000, 1_000, 500], sizes);
        Assert.Equal(3L, await Database.ScalarAsync<long>("select count(distinct directory_name) from orchestrator.batch where directory_name like 'bo-%-docs-%'"));
        Assert.Equal(2_500L, await Database.ScalarAsync<long>("select count(distinct unique_id) from orchestrator.file_version where batch_id is not null and run_id = $1", runId));
    }

    [Fact]
    public async Task PlanBatchesAsync_PlansNothing_WhenEveryVersionIsAlreadyInABatch()
    {
        await Seed.DiscoveredVersionsAsync(Database, "docs", 10);
        var first = await Runs.StartRunAsync("docs", RunTrigger.Manual, Ct);
        await Plans.PlanBatchesAsync(first, new BatchPlan("docs", "parse_v2", "cfg-PARSE_AGENTIC", 1_000), Ct);
        var second = await Runs.StartRunAsync("docs", RunTrigger.Manual, Ct);

        Assert.Empty((await Plans.PlanBatchesAsync(second, new BatchPlan("docs", "parse_v2", "cfg-PARSE_AGENTIC", 1_000), Ct)).BatchIds);
    }

    [Fact]
    public async Task PlanBatchesAsync_TakesFailedVersionsAgain_OnlyTransientOrThrottledOnesBelowMaxAttempts()
    {
        await Seed.DiscoveredVersionsAsync(Database, "docs", 7);
        await Database.ExecuteAsync("""
            update orchestrator.file_version set state = 'Failed', batch_id = null, error_message = 'x',
                error_class = (array['Transient', 'Throttled', 'Transient', 'Permanent', 'Auth', null, 'Transient'])[id],
                process_attempts = (array[1, 2, 3, 1, 1, 1, 0])[id]
            """);
        var runId = await Runs.StartRunAsync("docs", RunTrigger.Schedule, Ct);

        await Plans.PlanBatchesAsync(runId, new BatchPlan("docs", "parse_v2", "cfg-PARSE_AGENTIC", 1_000, MaxAttempts: 3), Ct);

        var planned = await Database.ListAsync("select id from orchestrator.file_version where run_id = $1 order by id", r => r.GetInt64(0), runId);
        Assert.Equal([1L, 2L, 7L], planned);
        Assert.Equal(4L, await Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Failed' and batch_id is null"));
    }
}

using BatchOrchestrator.Core.Planning;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Persistence.Planning;
using BatchOrchestrator.Persistence.Runs;
using BatchOrchestrator.TestSupport;

namespace BatchOrchestrator.Persistence.IntegrationTests.Planning;

public sealed class BatchPlanStoreFacts(PostgresServerFixture server) : IAsyncLifetime
{
    private TestDatabase database = null!;
    private NpgsqlRunStore runs = null!;
    private NpgsqlBatchPlanStore plans = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        database = await TestDatabase.CreateAsync(server, nameof(BatchPlanStoreFacts));
        runs = new NpgsqlRunStore(database.DataSource);
        plans = new NpgsqlBatchPlanStore(database.DataSource);
    }

    public ValueTask DisposeAsync() => database.DisposeAsync();

    [Fact]
    public async Task PlanBatchesAsync_SplitsNewVersionsIntoBatchesOfAtMostTheLimit_EachWithItsOwnDirectoryAndUniqueIds()
    {
        await Seed.DiscoveredVersionsAsync(database, "docs", 2_500);
        var runId = await runs.StartRunAsync("docs", RunTrigger.Manual, Ct);

        var batchIds = (await plans.PlanBatchesAsync(runId, new BatchPlan("docs", "parse_v2", "cfg-PARSE_AGENTIC", 1_000), Ct)).BatchIds;

        Assert.Equal(3, batchIds.Count);
        var sizes = await database.ListAsync("select file_count from orchestrator.batch order by id", r => r.GetInt32(0));
        Assert.Equal([1_000, 1_000, 500], sizes);
        Assert.Equal(3L, await database.ScalarAsync<long>("select count(distinct directory_name) from orchestrator.batch where directory_name like 'bo-%-docs-%'"));
        Assert.Equal(2_500L, await database.ScalarAsync<long>("select count(distinct unique_id) from orchestrator.file_version where batch_id is not null and run_id = $1", runId));
    }

    [Fact]
    public async Task PlanBatchesAsync_PlansNothing_WhenEveryVersionIsAlreadyInABatch()
    {
        await Seed.DiscoveredVersionsAsync(database, "docs", 10);
        var first = await runs.StartRunAsync("docs", RunTrigger.Manual, Ct);
        await plans.PlanBatchesAsync(first, new BatchPlan("docs", "parse_v2", "cfg-PARSE_AGENTIC", 1_000), Ct);
        var second = await runs.StartRunAsync("docs", RunTrigger.Manual, Ct);

        Assert.Empty((await plans.PlanBatchesAsync(second, new BatchPlan("docs", "parse_v2", "cfg-PARSE_AGENTIC", 1_000), Ct)).BatchIds);
    }

    [Fact]
    public async Task PlanBatchesAsync_TakesFailedVersionsAgain_OnlyTransientOrThrottledOnesBelowMaxAttempts()
    {
        await Seed.DiscoveredVersionsAsync(database, "docs", 7);
        await database.ExecuteAsync("""
            update orchestrator.file_version set state = 'Failed', batch_id = null, error_message = 'x',
                error_class = (array['Transient', 'Throttled', 'Transient', 'Permanent', 'Auth', null, 'Transient'])[id],
                process_attempts = (array[1, 2, 3, 1, 1, 1, 0])[id]
            """);
        var runId = await runs.StartRunAsync("docs", RunTrigger.Schedule, Ct);

        await plans.PlanBatchesAsync(runId, new BatchPlan("docs", "parse_v2", "cfg-PARSE_AGENTIC", 1_000, MaxAttempts: 3), Ct);

        var planned = await database.ListAsync("select id from orchestrator.file_version where run_id = $1 order by id", r => r.GetInt64(0), runId);
        Assert.Equal([1L, 2L, 7L], planned);
        Assert.Equal(4L, await database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Failed' and batch_id is null"));
    }
}

using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.Planning;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Persistence.Planning;
using BatchOrchestrator.Persistence.Runs;
using BatchOrchestrator.Persistence.Uploads;
using BatchOrchestrator.TestSupport;

namespace BatchOrchestrator.Persistence.IntegrationTests.Batches;

public sealed class UploadStoreFacts(PostgresServerFixture server) : IAsyncLifetime
{
    private TestDatabase database = null!;
    private NpgsqlUploadStore store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        database = await TestDatabase.CreateAsync(server, nameof(UploadStoreFacts));
        store = new NpgsqlUploadStore(database.DataSource);
    }

    public ValueTask DisposeAsync() => database.DisposeAsync();

    [Fact]
    public async Task GetWorkAsync_RemembersThatAnUploadWasStarted_SoARerunLooksBeforeSendingAgain()
    {
        var batchId = await PlannedBatchAsync(2);
        var first = (await store.GetWorkAsync(batchId, Ct))!.Files[0];

        await store.MarkUploadStartedAsync(first.FileVersionId, Ct);
        var work = await store.GetWorkAsync(batchId, Ct);

        Assert.Equal(BatchState.Planned, work!.State);
        Assert.True(work.Files[0].UploadStarted);
        Assert.False(work.Files[1].UploadStarted);
        Assert.All(work.Files, f => Assert.StartsWith($"fv-{f.FileVersionId}-", f.UniqueId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task FinishUploadsAsync_EndsABatchWithNothingUploaded_AndClosesItsRun()
    {
        var batchId = await PlannedBatchAsync(2);
        foreach (var file in (await store.GetWorkAsync(batchId, Ct))!.Files)
        {
            await store.MarkNotUploadedAsync(file.FileVersionId, FileVersionState.Skipped, null, "changed", Ct);
        }

        var state = await store.FinishUploadsAsync(batchId, Ct);

        Assert.Equal(BatchState.ResultsRecorded, state);
        Assert.Equal("Completed", await database.ScalarAsync<string>("select r.state from orchestrator.run r join orchestrator.batch b on b.run_id = r.id where b.id = $1", batchId));
        Assert.Equal(2L, await database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Skipped'"));
    }

    [Fact]
    public async Task MarkUploadedAsync_RecordsTheRemoteFileOnlyOnce()
    {
        var batchId = await PlannedBatchAsync(1);
        var file = (await store.GetWorkAsync(batchId, Ct))!.Files[0];

        await store.MarkUploadedAsync(file.FileVersionId, "dfl-first", Ct);
        await store.MarkUploadedAsync(file.FileVersionId, "dfl-second", Ct);

        var after = (await store.GetWorkAsync(batchId, Ct))!.Files[0];
        Assert.Equal((FileVersionState.Uploaded, "dfl-first"), (after.State, after.RemoteFileId));
    }

    private async Task<long> PlannedBatchAsync(int files)
    {
        await Seed.DiscoveredVersionsAsync(database, "docs", files);
        var runs = new NpgsqlRunStore(database.DataSource);
        var runId = await runs.StartRunAsync("docs", RunTrigger.Manual, Ct);
        var batchId = (await new NpgsqlBatchPlanStore(database.DataSource).PlanBatchesAsync(runId, new BatchPlan("docs", "parse_v2", "cfg-PARSE_AGENTIC", 1_000), Ct)).BatchIds.Single();
        await runs.FinishScanAsync(runId, new ScanSummary(files, files, 0, 0, files, files, 0), 1, Ct);
        return batchId;
    }
}

namespace BatchOrchestrator.Persistence.IntegrationTests.Runs;

public sealed class RunStoreFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    private NpgsqlRunStore Store => new(Database.DataSource, Microsoft.Extensions.Options.Options.Create(new Core.Costs.CostOptions()));

    [Fact]
    public async Task FinishScanAsync_MarksARunWithoutBatches_NoChanges_AndOneWithBatches_Active()
    {
        var quiet = await Store.StartRunAsync("docs", RunTrigger.Schedule, Ct);
        var busy = await Store.StartRunAsync("docs", RunTrigger.Schedule, Ct);
        var summary = new ScanSummary(5, 0, 0, 0, 0, 0, 0);

        await Store.FinishScanAsync(quiet, summary, 0, Ct);
        await Store.FinishScanAsync(busy, summary, 2, Ct);

        Assert.Equal("NoChanges", await Database.ScalarAsync<string>("select state from orchestrator.run where id = $1", quiet));
        Assert.Equal("Active", await Database.ScalarAsync<string>("select state from orchestrator.run where id = $1", busy));
    }

    [Fact]
    public async Task FinishScanAsync_RecordsHowManyFilesThePatternsLeftOut_OnlyWhenTheyTookNone()
    {
        var typo = await Store.StartRunAsync("docs", RunTrigger.Schedule, Ct);
        var fine = await Store.StartRunAsync("docs", RunTrigger.Schedule, Ct);

        await Store.FinishScanAsync(typo, new ScanSummary(0, 0, 0, 0, 0, 0, 0) { LeftOutByPatternsTakingNone = 3 }, 0, Ct);
        await Store.FinishScanAsync(fine, new ScanSummary(5, 0, 0, 0, 0, 0, 0), 0, Ct);

        Assert.Equal(
            [3, null],
            await Database.ListAsync("select files_left_out_by_patterns from orchestrator.run order by id", r => r.IsDBNull(0) ? (int?)null : r.GetInt32(0)));
    }

    [Fact]
    public async Task FinishScanAsync_WaitsForABatchEndingMeanwhile_AndCompletesTheRunItEnded()
    {
        // The batch's end (its own statement, then the run's completion, which finds the run Scanning and does nothing) is not
        // committed yet as the scan finishes. Read as it was, the run went Active with nothing left to complete it.
        var runId = await Store.StartRunAsync("docs", RunTrigger.Manual, Ct);
        var batchId = await Database.ScalarAsync<long>(
            "insert into orchestrator.batch (run_id, source_name, state, job_type, configuration_id, directory_name, file_count) values ($1, 'docs', 'Planned', 'parse_v2', 'c', 'd', 0) returning id",
            runId);
        await using var ending = await Database.DataSource.OpenConnectionAsync(Ct);
        await using var transaction = await ending.BeginTransactionAsync(Ct);
        foreach (var sql in new[]
        {
            "update orchestrator.batch set state = 'ResultsRecorded', finished_at = now() where id = $1",
            "update orchestrator.run set state = 'Completed' where id = (select run_id from orchestrator.batch where id = $1) and state = 'Active'",
        })
        {
            await using var end = new NpgsqlCommand(sql, ending, transaction);
            end.Parameters.AddWithValue(batchId);
            await end.ExecuteNonQueryAsync(Ct);
        }

        var finishing = Store.FinishScanAsync(runId, new ScanSummary(1, 1, 0, 1, 0, 0, 0), 1, Ct);
        await Eventually.WaitAsync(
            () => Database.ScalarAsync<bool>("select exists (select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like 'select 1 from orchestrator.batch b%')"),
            waiting => waiting || finishing.IsCompleted,
            TimeSpan.FromSeconds(20),
            "the scan's finish to wait for the batch's row, or to end");
        await transaction.CommitAsync(Ct);
        await finishing;

        Assert.Equal("Completed", await Database.ScalarAsync<string>("select state from orchestrator.run where id = $1", runId));
    }

    [Fact]
    public async Task TakeRerunRequestAsync_ReturnsTrueOnce_AfterARequest()
    {
        Assert.False(await Store.TakeRerunRequestAsync("docs", Ct));
        await Store.RequestRerunAsync("docs", Ct);
        await Store.RequestRerunAsync("docs", Ct);

        Assert.True(await Store.TakeRerunRequestAsync("docs", Ct));
        Assert.False(await Store.TakeRerunRequestAsync("docs", Ct));
    }
}

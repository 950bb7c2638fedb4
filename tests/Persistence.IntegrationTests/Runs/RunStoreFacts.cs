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
    public async Task TakeRerunRequestAsync_ReturnsTrueOnce_AfterARequest()
    {
        Assert.False(await Store.TakeRerunRequestAsync("docs", Ct));
        await Store.RequestRerunAsync("docs", Ct);
        await Store.RequestRerunAsync("docs", Ct);

        Assert.True(await Store.TakeRerunRequestAsync("docs", Ct));
        Assert.False(await Store.TakeRerunRequestAsync("docs", Ct));
    }
}

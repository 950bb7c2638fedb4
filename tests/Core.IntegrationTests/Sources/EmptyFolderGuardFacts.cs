using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.TestSupport;

namespace BatchOrchestrator.Core.IntegrationTests.Sources;

/// <summary>An emptied folder (an unmounted share looks like one) is not taken as the deletion of everything it held.</summary>
public sealed class EmptyFolderGuardFacts(PostgresServerFixture server) : IAsyncLifetime
{
    private PipelineHarness harness = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => harness = await PipelineHarness.CreateAsync(server);

    public ValueTask DisposeAsync() => harness.DisposeAsync();

    [Fact]
    public async Task ARunThatFindsTheFolderEmpty_FailsWithAReason_AndMarksNothingDeleted()
    {
        harness.WriteFiles(3);
        await harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);
        foreach (var file in Directory.EnumerateFiles(harness.SourcePath))
        {
            File.Delete(file);
        }

        await harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Schedule, Ct);

        var (state, error) = (await harness.Database.ListAsync(
            "select state, error from orchestrator.run order by id desc limit 1", r => (r.GetString(0), r.GetString(1)))).Single();
        Assert.Equal("Failed", state);
        Assert.Contains("the folder is empty, but 3 files were known in it", error, StringComparison.Ordinal);
        Assert.Equal(0L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.source_file where deleted_at is not null"));
    }

    [Fact]
    public async Task AnEmptiedFolder_IsTakenAsDeleted_WhenTheSourceSaysSo()
    {
        harness.WriteFiles(3);
        var scanner = harness.Get<SourceScanner>();
        var source = harness.Get<Microsoft.Extensions.Options.IOptions<SourcesOptions>>().Value.Sources[0];
        await scanner.ScanAsync(source, Ct);
        foreach (var file in Directory.EnumerateFiles(harness.SourcePath))
        {
            File.Delete(file);
        }

        source.TreatEmptyFolderAsDeleted = true;
        var summary = await scanner.ScanAsync(source, Ct);

        Assert.Equal(3, summary.Vanished);
        Assert.Equal(3L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.source_file where deleted_at is not null"));
    }
}

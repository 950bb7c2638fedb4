using BatchOrchestrator.Core.Runs;

namespace BatchOrchestrator.Worker.IntegrationTests.Scenarios;

/// <summary>
/// A source's Name is its record, and names are case-sensitive: one written again in another case would be a new source,
/// knowing none of its files, and send and bill each again. The schedule's id is lower-cased, so nothing else says so.
/// </summary>
public sealed class SourceNameCaseFacts(PostgresServerFixture server) : EnvironmentFacts(server)
{
    [Fact]
    public async Task ASourceNameChangedOnlyInCase_StopsStartUp_SayingHowToMoveItsRecord()
    {
        await Env.WriteFilesAsync(1);
        await using (var host = await WorkerHost.StartAsync(Env.Root, Env.Settings()))
        {
            host.Services.GetRequiredService<IPipelineScheduler>().EnqueueRun(TestEnvironment.SourceName, RunTrigger.Manual);
            await Eventually.WaitAsync(
                () => Env.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version"), n => n == 1, TimeSpan.FromSeconds(60), "the file to be on record");
        }

        var settings = Env.Settings();
        settings["Sources:0:Name"] = "E2E";
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => WorkerHost.StartAsync(Env.Root, settings));

        Assert.Equal(
            ["Sources:0:Name: 'E2E' differs only in case from 'e2e', whose record is in the database: names are case-sensitive, so 'E2E' would know none of its files and send and bill each again; run 'rename-source e2e E2E' first, or write 'e2e'"],
            error.Failures);
        Assert.Equal(0L, await Env.Database.ScalarAsync<long>("select count(*) from orchestrator.run where source_name = 'E2E'"));
    }
}

namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>
/// A source switched from Mirror to PerRun sends nothing again (docs/sources.md, "Remote layouts"): content the mirror had
/// removed from its directory and the folder holds again is a copy of its version, as any known content is under PerRun.
/// </summary>
public sealed class MirrorToPerRunFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task AnEditUndoneAfterTheSwitch_IsACopyOfItsVersion_NotSentAndBilledAgain()
    {
        Source.Layout = RemoteLayout.Mirror;
        Harness.WriteFile("report.txt", "the original");
        await Harness.RunToRecordedAsync(Ct);
        Harness.WriteFile("report.txt", "an edit, undone later");
        await Harness.RunToRecordedAsync(Ct); // carries the edit, and removes the original's copy from the mirror
        Assert.True(await Harness.Database.ScalarAsync<bool>("select remote_deleted_at is not null from orchestrator.file_version where sha256 = sha256('the original'::bytea)"));

        Source.Layout = RemoteLayout.PerRun;
        Harness.WriteFile("report.txt", "the original");

        // Revived as a mirror's removed content is, it went out in a batch of its own: parsed and billed a second time.
        Assert.Empty(await Harness.PlanAsync(Ct));
        Assert.Equal("Succeeded", await Harness.Database.ScalarAsync<string>("select state from orchestrator.file_version where sha256 = sha256('the original'::bytea)"));
    }

    private SourceOptions Source => Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources[0];
}

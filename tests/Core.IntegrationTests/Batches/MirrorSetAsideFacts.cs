namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>
/// A mirrored file the scan sets aside is no file settling: the mirror must not wait for its hash, which never comes
/// while it stays so, and hold every other new or changed file of the folder back with it.
/// </summary>
public sealed class MirrorSetAsideFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Theory]
    [InlineData("Empty")]
    [InlineData("TooLarge")]
    public async Task AMirroredFileSetAside_HasItsOldCopyRemoved_AndTheFolderGoesOnWithoutIt(string setAsideAs)
    {
        var source = Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources[0];
        source.Layout = RemoteLayout.Mirror;
        Harness.WriteFile("a.txt", "alpha");
        Harness.WriteFile("b.txt", "beta");
        await Harness.RunToRecordedAsync(Ct);

        if (setAsideAs == "Empty")
        {
            Harness.WriteFile("b.txt", ""); // a save that failed half-way
        }
        else
        {
            source.MaxFileBytes = 16;
            Harness.WriteFile("b.txt", "beta, now longer than the source takes");
        }

        Harness.WriteFile("c.txt", "gamma");
        var next = Assert.Single(await Harness.RunToRecordedAsync(Ct));

        Assert.Equal(
            ["a.txt", "c.txt"],
            await Harness.Database.ListAsync("select relative_path from orchestrator.file_version where batch_id = $1 order by 1", r => r.GetString(0), next));
        Assert.Equal(1, await Harness.Admin.CounterAsync("directory_file_deletes_total")); // b.txt's old copy
        Assert.Equal(setAsideAs, await Harness.Database.ScalarAsync<string>("select kind from orchestrator.source_file_problem where relative_path = 'b.txt'"));
    }
}

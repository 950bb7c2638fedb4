namespace BatchOrchestrator.Core.IntegrationTests.FollowUp;

/// <summary>
/// A result the database records as delivered survives a power cut: its file is flushed, renamed in, and its folder
/// (and each folder made for it) synced, in that order, before the outcome is saved; a sync that fails is a failed
/// delivery, not a delivered one (docs/pipeline.md, "Follow-up sinks").
/// </summary>
public sealed class ResultDurabilityFacts(PostgresServerFixture server)
{
    [Fact]
    public async Task EachFolderAResultWasRenamedInto_AndEachParentOfAFolderMadeForIt_IsSynced_BeforeTheDeliveryIsRecorded()
    {
        var syncs = new RecordingSync();
        await using var harness = await PipelineHarness.CreateAsync(server, services: s => s.AddSingleton<IFolderSync>(syncs));
        syncs.Database = harness.Database;
        harness.WriteFile("top.txt", "at the top");
        harness.WriteFile("a/b/deep.txt", "two folders down");

        await harness.FollowUpAllAsync(await harness.RunToRecordedAsync(Ct), Ct);

        var output = Path.Combine(harness.Root, "output", PipelineHarness.SourceName);
        Assert.Equal(
            [
                // output/ and output/docs/ were made, so their parents' entries changed; then a/ and a/b/ under it.
                (harness.Root, "output source", "Recorded Recorded"),
                (Path.Combine(harness.Root, "output"), "docs", "Recorded Recorded"),
                (output, "a top.txt.json top.txt.md", "Recorded Recorded"),
                (Path.Combine(output, "a"), "b", "Recorded Recorded"),
                (Path.Combine(output, "a", "b"), "deep.txt.json deep.txt.md", "Recorded Recorded"),
            ],
            syncs.Seen.OrderBy(s => s.Folder, StringComparer.Ordinal));
        Assert.Equal(2L, await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'FollowedUp'"));
    }

    [Fact]
    public async Task AFolderThatCannotBeSynced_FailsTheDelivery_AndTheResultIsNotRecordedAsDelivered()
    {
        await using var harness = await PipelineHarness.CreateAsync(server, services: s => s.AddSingleton<IFolderSync>(new FailingSync()));
        harness.WriteFile("report.txt", "the only one");
        var batches = await harness.RunToRecordedAsync(Ct);

        await Eventually.WaitAsync(
            async () =>
            {
                await harness.Get<FollowUpProcessor>().FollowUpAsync(batches[0], Ct);
                return await harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_attempts > 0 or follow_up_state <> 'Recorded'") == 1;
            },
            TimeSpan.FromSeconds(20),
            "the finished result to meet the failing sync (or to be recorded delivered)");

        Assert.Equal(
            [("Recorded", "sink FileSystem: fsync of folder 'x' failed: Input/output error; what was written there may not survive a power cut")],
            await harness.Database.ListAsync(
                "select follow_up_state, regexp_replace(follow_up_error, '''[^'']*''', '''x''') from orchestrator.batch_result", r => (r.GetString(0), r.GetString(1))));
    }

    [Fact]
    public void Sync_OfARealFolder_Passes_AndOfOneThatIsNotThere_ThrowsNamingIt()
    {
        var folder = Directory.CreateTempSubdirectory("bo-sync-").FullName;
        try
        {
            new FolderSync().Sync(folder);
            var missing = Path.Combine(folder, "gone");
            var error = Assert.Throws<IOException>(() => new FolderSync().Sync(missing));
            Assert.StartsWith($"open of folder '{missing}' failed: No such file or directory", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>What each sync found: the folder's entries, and the states the database had recorded for the results then.</summary>
    private sealed class RecordingSync : IFolderSync
    {
        public TestDatabase? Database { get; set; }

        public List<(string Folder, string Entries, string States)> Seen { get; } = [];

        public void Sync(string folder)
        {
            var entries = string.Join(' ', Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            var states = Database!.ListAsync("select follow_up_state from orchestrator.batch_result order by id", r => r.GetString(0)).GetAwaiter().GetResult();
            Seen.Add((folder, entries, string.Join(' ', states)));
        }
    }

    private sealed class FailingSync : IFolderSync
    {
        public void Sync(string folder) => throw new IOException($"fsync of folder '{folder}' failed: Input/output error; what was written there may not survive a power cut");
    }
}

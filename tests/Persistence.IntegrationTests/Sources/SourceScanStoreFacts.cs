using BatchOrchestrator.Persistence.Sources;

namespace BatchOrchestrator.Persistence.IntegrationTests.Sources;

public sealed class SourceScanStoreFacts(PostgresServerFixture server) : DatabaseFacts(server)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 2, 0, 0, TimeSpan.Zero);

    private NpgsqlSourceScanStore Store => new(Database.DataSource);

    [Fact]
    public async Task MergeObservationsAsync_CountsNewChangedAndVanishedPaths()
    {
        await MergeAsync("s", [Obs("a", 1), Obs("b", 2), Obs("c", 3)], T0, T0);

        var second = await MergeAsync("s", [Obs("a", 1), Obs("b", 20), Obs("d", 4)], T0.AddMinutes(1), T0.AddMinutes(1));

        Assert.Equal(new ObservationSummary(Seen: 3, NewOrChanged: 2, Vanished: 1, Unsettled: 0), second);
        Assert.Equal(1L, await Database.ScalarAsync<long>("select count(*) from orchestrator.source_file where deleted_at is not null and relative_path = 'c'"));
    }

    [Fact]
    public async Task ReadHashCandidatesAsync_OffersOnlyPathsUnchangedForTheSettleWindow()
    {
        await MergeAsync("s", [Obs("old", 1)], T0, T0);
        var summary = await MergeAsync("s", [Obs("old", 1), Obs("fresh", 1)], T0.AddSeconds(30), T0.AddSeconds(20));

        var candidates = await Store.ReadHashCandidatesAsync("s", T0.AddSeconds(20), long.MaxValue, Ct).ToListAsync(Ct);

        Assert.Equal(1, summary.Unsettled);
        Assert.Equal(["old"], candidates.Select(c => c.RelativePath));
    }

    [Fact]
    public async Task RecordHashesAsync_CreatesOneVersionPerDistinctContent_AndHashedPathsAreNotOfferedAgain()
    {
        await MergeAsync("s", [Obs("a", 1), Obs("copy-of-a", 1), Obs("b", 2)], T0, T0);

        var created = await Store.RecordHashesAsync("s", DedupeKey.ContentHash, RemoteLayout.PerRun, [Hashed(Obs("a", 1), 0xA), Hashed(Obs("copy-of-a", 1), 0xA), Hashed(Obs("b", 2), 0xB)], Ct);

        Assert.Equal(new HashesRecorded(NewVersions: 2, Copies: 1), created);
        Assert.Empty(await Store.ReadHashCandidatesAsync("s", T0, long.MaxValue, Ct).ToListAsync(Ct));
        Assert.Equal(2L, await Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Discovered'"));
        Assert.Equal(["copy-of-a -> a"], await CopiesAsync());
    }

    [Fact]
    public async Task RecordHashesAsync_IgnoresAHashForASizeOrMtimeThatChangedMeanwhile()
    {
        await MergeAsync("s", [Obs("a", 1)], T0, T0);
        await MergeAsync("s", [Obs("a", 5)], T0.AddMinutes(1), T0);

        var created = await Store.RecordHashesAsync("s", DedupeKey.ContentHash, RemoteLayout.PerRun, [Hashed(Obs("a", 1), 0xA)], Ct);

        Assert.Equal(default, created);
    }

    [Fact]
    public async Task RecordHashesAsync_BringsBackASkippedVersion_WhenItsContentIsSeenAgain()
    {
        await MergeAsync("s", [Obs("a", 1)], T0, T0);
        await Store.RecordHashesAsync("s", DedupeKey.ContentHash, RemoteLayout.PerRun, [Hashed(Obs("a", 1), 0xA)], Ct);
        await Database.ExecuteAsync("update orchestrator.file_version set state = 'Skipped'");
        await MergeAsync("s", [Obs("a", 1, mtime: 99)], T0.AddMinutes(1), T0.AddMinutes(1));

        var created = await Store.RecordHashesAsync("s", DedupeKey.ContentHash, RemoteLayout.PerRun, [Hashed(Obs("a", 1, mtime: 99), 0xA)], Ct);

        Assert.Equal(new HashesRecorded(NewVersions: 1, Copies: 0), created);
        Assert.Equal("Discovered", await Database.ScalarAsync<string>("select state from orchestrator.file_version"));
    }

    [Fact]
    public async Task RecordHashesAsync_DoesNotBringBackAVersionAlreadyProcessed()
    {
        await MergeAsync("s", [Obs("a", 1)], T0, T0);
        await Store.RecordHashesAsync("s", DedupeKey.ContentHash, RemoteLayout.PerRun, [Hashed(Obs("a", 1), 0xA)], Ct);
        await Database.ExecuteAsync("update orchestrator.file_version set state = 'Succeeded'");
        await MergeAsync("s", [Obs("renamed", 1)], T0.AddMinutes(1), T0.AddMinutes(1));

        var created = await Store.RecordHashesAsync("s", DedupeKey.ContentHash, RemoteLayout.PerRun, [Hashed(Obs("renamed", 1), 0xA)], Ct);

        Assert.Equal(new HashesRecorded(NewVersions: 0, Copies: 1), created);
        Assert.Equal("Succeeded", await Database.ScalarAsync<string>("select state from orchestrator.file_version"));
        Assert.Equal(["renamed -> a"], await CopiesAsync());
    }

    [Fact]
    public async Task MergeAsync_LeavesPathsUnderAnUnreadableFolderAsTheyWere_InsteadOfTakingThemForDeleted()
    {
        await MergeAsync("s", [Obs("a.txt", 1), Obs("locked/x.txt", 2), Obs("locked/y/z.txt", 3), Obs("m.txt", 4)], T0, T0);
        WalkItem[] walk = [new("a.txt", 1, 1_000), WalkItem.UnreadableFolder("locked/"), new("m.txt", 4, 1_000)];

        var summary = await ScanMerger.MergeAsync(Store, "s", walk.ToAsyncEnumerable(), T0.AddMinutes(1), new ManualClock(T0.AddMinutes(1)), T0.AddMinutes(1), long.MaxValue, takeAnEmptyWalkAsDeletion: () => false, report: _ => { }, Ct);

        Assert.Equal(new ObservationSummary(Seen: 2, NewOrChanged: 0, Vanished: 0, Unsettled: 0), summary);
        Assert.Equal(0L, await Database.ScalarAsync<long>("select count(*) from orchestrator.source_file where deleted_at is not null"));
    }

    [Fact]
    public async Task ReplaceProblemsAsync_KeepsWhenAProblemWasFirstSeen_AndForgetsFixedOnes()
    {
        await Store.ReplaceProblemsAsync("s", [new ScanProblem("a", ScanProblemKind.Empty, "zero"), new ScanProblem("b", ScanProblemKind.TooLarge, "big")], T0, Ct);

        await Store.ReplaceProblemsAsync("s", [new ScanProblem("a", ScanProblemKind.Empty, "zero")], T0.AddHours(1), Ct);

        var rows = await Database.ListAsync(
            "select relative_path, first_seen_at, last_seen_at from orchestrator.source_file_problem",
            r => (r.GetString(0), r.GetFieldValue<DateTimeOffset>(1), r.GetFieldValue<DateTimeOffset>(2)));
        Assert.Equal([("a", T0, T0.AddHours(1))], rows);
    }

    private Task<List<string>> CopiesAsync() => Database.ListAsync(
        "select c.relative_path || ' -> ' || v.relative_path from orchestrator.file_copy c join orchestrator.file_version v on v.id = c.file_version_id order by 1",
        r => r.GetString(0));

    private Task<ObservationSummary> MergeAsync(string source, FileObservation[] looks, DateTimeOffset scanTime, DateTimeOffset settledBefore) =>
        ScanMerger.MergeAsync(
            Store,
            source,
            looks.OrderBy(o => o.RelativePath, Utf8Order.Instance).Select(o => new WalkItem(o.RelativePath, o.Size, o.MtimeTicks)).ToAsyncEnumerable(),
            scanTime,
            new ManualClock(scanTime), // the walk takes no time
            settledBefore,
            long.MaxValue,
            takeAnEmptyWalkAsDeletion: () => true,
            report: _ => { },
            Ct);

    private static FileObservation Obs(string path, long size, long mtime = 1_000) => new(path, size, mtime);

    private static HashedFile Hashed(FileObservation observation, byte marker) => new(observation, Enumerable.Repeat(marker, 32).ToArray());
}

using System.Runtime.CompilerServices;
using System.Runtime.Versioning;

namespace BatchOrchestrator.Core.IntegrationTests.Runs;

/// <summary>
/// A file the walk found settled but that is written to again before its hash is not taken, and, as a file the walk
/// saw changing, gets a run after its settle window: on a nightly schedule without watching it would otherwise wait a night.
/// </summary>
public sealed class ChangedWhileHashingFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    private Action<string> beforeHash = path => File.AppendAllText(path, ", then more");

    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) => PipelineHarness.CreateAsync(
        server,
        services: services => DelegatingScanStore.Replace(
            services,
            (inner, sp) => new TouchedBeforeHash(inner, sp.GetRequiredService<IOptions<SourcesOptions>>().Value.Sources[0].Path, path => beforeHash(path))));

    [Fact]
    public async Task AFileWrittenToBetweenWalkAndHash_IsNotTaken_AndARunAfterItsSettleWindowIsScheduled()
    {
        Harness.WriteFile("report.txt", "first part");

        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Schedule, Ct);

        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version"));
        Assert.Contains(("scheduled-run", $"{PipelineHarness.SourceName}:{RunTrigger.Settle}"), Harness.Scheduler.Calls);
        Assert.Contains(
            "changed while hashing",
            await Harness.Database.ScalarAsync<string>("select error from orchestrator.run"),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALookAskedForAFileWrittenToBetweenWalkAndHash_ThatNeverCame_IsAskedForAgain_ByTheOwedRunLook()
    {
        Harness.WriteFile("report.txt", "first part");
        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Schedule, Ct);
        // The look scheduled above never runs (the recording scheduler keeps it): as if the process stopped before it
        // reached Hangfire, and longer ago than that look's longest delay and ten minutes.
        await Harness.Database.ExecuteAsync(
            "update orchestrator.run set started_at = started_at - interval '20 minutes', scanned_at = scanned_at - interval '20 minutes', finished_at = finished_at - interval '20 minutes'");

        await Harness.Get<OwedRuns>().CheckAsync(Ct);

        Assert.Contains(("run", $"{PipelineHarness.SourceName}:{RunTrigger.Settle}"), Harness.Scheduler.Calls);
        Assert.Contains(Harness.Logs.Lines, l => l.Contains("left 1 files unsettled", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFileGoneBetweenWalkAndHash_IsRecordedGone_AndGetsNoSettleRun_SinceThereIsNoChangeToWaitFor()
    {
        beforeHash = DeleteReport;
        Harness.WriteFile("report.txt", "first part");
        Harness.WriteFile("other.txt", "stays");

        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Schedule, Ct);

        Assert.Equal(["other.txt"], await Harness.Database.ListAsync("select relative_path from orchestrator.file_version", r => r.GetString(0)));
        Assert.DoesNotContain(Harness.Scheduler.Calls, c => c.Step == "scheduled-run");
        Assert.True(await Harness.Database.ScalarAsync<bool>("select deleted_at is not null from orchestrator.source_file where relative_path = 'report.txt'"));
    }

    [Fact]
    public async Task AMirroredFileEditedThenGoneBetweenWalkAndHash_DoesNotHoldTheRestOfTheFolderBack()
    {
        Source.Layout = RemoteLayout.Mirror;
        beforeHash = _ => { };
        Harness.WriteFile("report.txt", "first part");
        var first = await Harness.PlanOneBatchAsync(Ct);
        await Harness.Get<BatchUploader>().UploadAsync(first, Ct);
        await Harness.Get<BatchSubmitter>().SubmitAsync(first, Ct);
        await Harness.RecordAllAsync([first], Ct);
        Harness.WriteFile("report.txt", "first part, and a second");
        Harness.WriteFile("other.txt", "new beside it");
        beforeHash = DeleteReport;

        var second = await Harness.PlanAsync(Ct);

        // Left as a look not hashed yet, the edited report.txt read as new content settling, and the mirror planned no
        // batch: other.txt waited for the next run, a night away for a source that is not watched.
        var planned = Assert.Single(second);
        Assert.Equal(
            ["other.txt"],
            await Harness.Database.ListAsync(
                "select relative_path from orchestrator.file_version where batch_id = $1 order by 1", r => r.GetString(0), planned));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task AFileOutOfReachAtItsHash_IsNotTakenForGone()
    {
        Assert.SkipWhen(Environment.UserName == "root", "root enters every folder; run as another user to see this");
        var folder = Path.GetDirectoryName(Harness.WriteFile("locked/report.txt", "first part"))!;
        beforeHash = _ => File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Schedule, Ct);
        }
        finally
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        Assert.True(await Harness.Database.ScalarAsync<bool>("select deleted_at is null from orchestrator.source_file where relative_path = 'locked/report.txt'"));
        Assert.DoesNotContain(Harness.Scheduler.Calls, c => c.Step == "scheduled-run");
    }

    [Fact]
    public async Task FilesGoneBetweenWalkAndHash_WithTheFolderLeftEmpty_AreLeftToTheNextScan_AsAnUnmountedShareIs()
    {
        beforeHash = File.Delete;
        Harness.WriteFile("report.txt", "first part");

        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Schedule, Ct);

        Assert.True(await Harness.Database.ScalarAsync<bool>("select deleted_at is null from orchestrator.source_file where relative_path = 'report.txt'"));
        Assert.Contains(Harness.Logs.Lines, l => l.Contains("new or changed, 0 gone", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FilesGoneBetweenWalkAndHash_WithTheirSubfolderLeftEmpty_AreLeftToTheNextScan_AsAnUnmountedShareIs()
    {
        beforeHash = path =>
        {
            if (path.Contains("/share/", StringComparison.Ordinal))
            {
                // Unmounted: the share's folders go with its files, and only its mount point is left.
                Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
            }
        };
        Source.GuardEmptiedSubfolders = true;
        Harness.WriteFile("local.txt", "stays");
        Harness.WriteFile("share/deep/report.txt", "first part");

        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Schedule, Ct);

        Assert.True(await Harness.Database.ScalarAsync<bool>("select deleted_at is null from orchestrator.source_file where relative_path = 'share/deep/report.txt'"));
        Assert.Contains(Harness.Logs.Lines, l => l.Contains("new or changed, 0 gone", StringComparison.Ordinal));
    }

    private static void DeleteReport(string path)
    {
        if (Path.GetFileName(path) == "report.txt")
        {
            File.Delete(path);
        }
    }

    private SourceOptions Source => Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources[0];

    /// <summary>Does <paramref name="touch"/> to each hash candidate on disk just before the scan hashes it, as a writer coming back would.</summary>
    private sealed class TouchedBeforeHash(ISourceScanStore inner, string root, Action<string> touch) : DelegatingScanStore(inner)
    {
        public override async IAsyncEnumerable<FileObservation> ReadHashCandidatesAsync(
            string source, DateTimeOffset settledBefore, long maxFileBytes, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var candidate in Inner.ReadHashCandidatesAsync(source, settledBefore, maxFileBytes, cancellationToken))
            {
                touch(Path.Combine(root, candidate.RelativePath));
                yield return candidate;
            }
        }
    }
}

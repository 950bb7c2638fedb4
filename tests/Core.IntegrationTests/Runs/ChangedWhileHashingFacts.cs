using System.Runtime.CompilerServices;

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
    public async Task AFileGoneBetweenWalkAndHash_GetsNoSettleRun_SinceThereIsNoChangeToWaitFor()
    {
        beforeHash = File.Delete; // as a folder falling out of reach would read: no file to settle, and a run every window for it
        Harness.WriteFile("report.txt", "first part");

        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Schedule, Ct);

        Assert.Equal(0L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version"));
        Assert.DoesNotContain(Harness.Scheduler.Calls, c => c.Step == "scheduled-run");
    }

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

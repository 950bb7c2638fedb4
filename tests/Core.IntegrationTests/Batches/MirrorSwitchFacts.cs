namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>
/// A source switched from PerRun to Mirror (docs/sources.md, "A source is its Name"): its mirror takes only files
/// new or changed since, so the files processed before stay out of it for good unless an operator moves their mtimes.
/// </summary>
public sealed class MirrorSwitchFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task AfterASwitchFromPerRunToMirror_TheFirstMirrorRun_WarnsOnce_HowManyProcessedFilesAreOutsideTheMirror_AndWhatToDo()
    {
        Harness.WriteFile("a.txt", "alpha");
        Harness.WriteFile("b.txt", "beta");
        await Harness.RunToRecordedAsync(Ct); // PerRun, the default: both processed
        var logs = new CapturingLoggerProvider();
        await using var mirror = Harness.Restarted(new Dictionary<string, string?> { ["Sources:0:Layout"] = "Mirror" }, new RecordingScheduler(), logs);

        Harness.WriteFile("c.txt", "gamma");
        await mirror.GetRequiredService<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);
        Harness.WriteFile("d.txt", "delta");
        await mirror.GetRequiredService<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);

        var warning = Assert.Single(logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("outside its mirror", StringComparison.Ordinal));
        Assert.Contains("Source docs is a Mirror now, but 2 files it processed before are outside its mirror", warning, StringComparison.Ordinal);
        Assert.Contains("touch -m", warning, StringComparison.Ordinal);
        Assert.DoesNotContain(Harness.Logs.Lines, l => l.Contains("outside its mirror", StringComparison.Ordinal)); // nothing said while PerRun
    }

    [Fact]
    public async Task AMirrorFromTheStart_SaysNothingOfFilesOutsideIt()
    {
        var logs = new CapturingLoggerProvider();
        await using var mirror = Harness.Restarted(new Dictionary<string, string?> { ["Sources:0:Layout"] = "Mirror" }, new RecordingScheduler(), logs);
        Harness.WriteFile("a.txt", "alpha");

        await mirror.GetRequiredService<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);

        Assert.DoesNotContain(logs.Lines, l => l.Contains("outside its mirror", StringComparison.Ordinal));
        Assert.Equal(1L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch where layout = 'Mirror'"));
    }
}

namespace BatchOrchestrator.Core.IntegrationTests.FollowUp;

/// <summary>
/// A write of the file sink cut short by a kill (or a power cut) leaves its hidden temporary file beside the target. Named anew at
/// every write, each kill left one more partial file in the output for good, where a tool that copies hidden files picks it up;
/// one name per target lets the delivery made again after the restart take it over.
/// </summary>
public sealed class InterruptedWriteFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task AResultWhoseWriteAKillCutShort_IsWrittenWholeByTheNextDelivery_LeavingNoTemporaryFileBehind()
    {
        var (batches, target) = await RecordedReportAsync();
        await File.WriteAllTextAsync(FileSystemSink.TemporaryFor(target), "# Quarterly rep", Ct); // where the killed write stopped
        await File.WriteAllTextAsync(FileSystemSink.TemporaryFor(target[..^3] + ".json"), "{\"source\":", Ct);

        await Harness.FollowUpAllAsync(batches, Ct);

        Assert.StartsWith("# Quarterly report", await File.ReadAllTextAsync(target, Ct), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(Path.GetDirectoryName(target)!, "*.tmp", new EnumerationOptions { AttributesToSkip = 0 }));
        Assert.Equal("FollowedUp", await Harness.Database.ScalarAsync<string>("select follow_up_state from orchestrator.batch_result"));
    }

    [Fact]
    public async Task ALinkPlantedUnderTheTemporaryName_IsNotWrittenThrough()
    {
        // The temporary name is known in advance: opened as found, a link under it would have the result land where it points.
        var (batches, target) = await RecordedReportAsync();
        var victim = Path.Combine(Harness.Root, "victim.conf");
        await File.WriteAllTextAsync(victim, "the service's own settings", Ct);
        File.CreateSymbolicLink(FileSystemSink.TemporaryFor(target), victim);

        await Harness.FollowUpAllAsync(batches, Ct);

        Assert.Equal("the service's own settings", await File.ReadAllTextAsync(victim, Ct));
        Assert.StartsWith("# Quarterly report", await File.ReadAllTextAsync(target, Ct), StringComparison.Ordinal);
        Assert.False(File.Exists(FileSystemSink.TemporaryFor(target)));
    }

    /// <summary>A report whose job's result is recorded and not yet delivered; its <c>.md</c>'s path, the folder made.</summary>
    private async Task<(IReadOnlyList<long> Batches, string Target)> RecordedReportAsync()
    {
        Harness.WriteFile("report.txt", "# Quarterly report\nRevenue went up.");
        var batches = await Harness.RunToRecordedAsync(Ct);
        var target = Path.Combine(Harness.Root, "output", PipelineHarness.SourceName, "report.txt.md");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        return (batches, target);
    }
}

namespace BatchOrchestrator.Core.IntegrationTests.FollowUp;

/// <summary>
/// A result that will never be delivered, or a file its batch failed, that no run sends again by itself, is said in a Warning with its
/// reason and what an operator can do: a summary line's count alone told them nothing to act on.
/// </summary>
public sealed class FollowUpWarningFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task AJobThatFailedForGood_IsNamedInAWarning_WithItsReasonAndTheVerbThatSendsItAgain()
    {
        Harness.WriteFile("good.pdf", "%PDF-1.7 fine");
        Harness.WriteFile("corrupt.pdf", "not a PDF at all");

        var batches = await Harness.RunToRecordedAsync(Ct);
        await Harness.FollowUpAllAsync(batches, Ct);

        Assert.Equal(("Failed", "Permanent"), (await Harness.Database.ListAsync(
            "select state, error_class from orchestrator.file_version where relative_path = 'corrupt.pdf'", r => (r.GetString(0), r.GetString(1))))[0]);
        var warning = Assert.Single(Harness.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("will not be delivered", StringComparison.Ordinal));
        Assert.Contains("corrupt.pdf", warning, StringComparison.Ordinal);
        Assert.Contains("not a PDF", warning, StringComparison.Ordinal);
        Assert.Contains("retry --failed --permanent", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FilesTheBatchFailedForGood_AreSaidInAWarning_WithTheirReasons()
    {
        Harness.WriteFile("setup.exe", "MZ not a document");
        Harness.WriteFile("fine.txt", "a document");

        await Harness.RunToRecordedAsync(Ct);

        var warning = Assert.Single(Harness.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("another try would not cure", StringComparison.Ordinal));
        Assert.Contains("1 × Unsupported file type: .exe", warning, StringComparison.Ordinal);
        Assert.Contains($"'retry {PipelineHarness.SourceName} --failed --permanent'", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AResultGoneBeforeItWasFetched_FailsItsFile_IsNamedInAWarning_AndCountsAsFailedOnItsBatch()
    {
        Harness.WriteFile("a.pdf", "%PDF-1.7 a document");
        var batches = await Harness.RunToRecordedAsync(Ct);
        var job = await Harness.Database.ScalarAsync<string>("select job_id from orchestrator.batch_result");
        Assert.True(await Harness.Get<IBatchApis>().For(ProjectScope.Default).DeleteParseJobAsync(job, Ct)); // expired, or deleted by another tool

        await Harness.FollowUpAllAsync(batches, Ct);

        Assert.Equal(("Failed", "Permanent"), (await Harness.Database.ListAsync(
            "select state, error_class from orchestrator.file_version", r => (r.GetString(0), r.GetString(1))))[0]);
        Assert.Equal("Failed", await Harness.Database.ScalarAsync<string>("select file_verdict from orchestrator.batch_result"));
        var warning = Assert.Single(Harness.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("will not be delivered", StringComparison.Ordinal));
        Assert.Contains($"LlamaCloud no longer has job {job}", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABatchWhoseSinkRefusesEveryResult_NamesFiveInWarnings_AndCountsTheRestOnce()
    {
        await using var h = await PipelineHarness.CreateAsync(
            Server,
            new Dictionary<string, string?> { ["FollowUp:Sinks:0"] = "Refusing", ["FollowUp:MaxAttempts"] = "1", ["FollowUp:ChunkSize"] = "2" },
            services: s => s.AddSingleton<IFollowUpSink>(new RefusingSink()));
        h.WriteFiles(8);

        await h.FollowUpAllAsync(await h.RunToRecordedAsync(Ct), Ct);

        Assert.Equal(8L, await h.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where follow_up_state = 'FollowUpFailed'"));
        var warnings = h.Logs.Lines.Where(l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("will not be delivered", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, warnings.Count(l => l.Contains("sink Refusing: share gone; Retry follow-ups", StringComparison.Ordinal)));
        Assert.Single(warnings, l => l.Contains("3 more results of batch", StringComparison.Ordinal));
        Assert.Equal(6, warnings.Count);
    }

    private sealed class RefusingSink : IFollowUpSink
    {
        public string Name => "Refusing";

        public Task WriteAsync(IReadOnlyList<FollowUpDocument> documents, CancellationToken cancellationToken) => throw new IOException("share gone");
    }
}

namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>
/// A RemoteOnly batch an operator cancelled is not sent again while the directory holds the same files: as a cancelled
/// batch's files of a local folder stay skipped. Its jobs run long enough here for the cancel to find them running.
/// </summary>
public sealed class RemoteOnlyCancelFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) =>
        PipelineHarness.CreateAsync(server, sandboxOptions: new SandboxOptions { JobRunningSteps = 1_000 });

    [Fact]
    public async Task RemoteOnly_ABatchAnOperatorCancelled_IsNotSentAgain_UntilTheDirectoryChanges()
    {
        // A cancel may come after some jobs ran and billed: the next nightly run sending the directory again would bill
        // them again, and undo what the operator asked for, as a cancelled batch's files of a local folder stay skipped.
        var directoryId = await RemoteOnlyDirectory.CreateAsync(Harness, 2, Ct);
        var cancelled = await RemoteOnlyRunAsync();
        await Harness.Get<BatchSubmitter>().SubmitAsync(cancelled!.Value, Ct);
        Assert.Equal(CancelOutcome.CancelSentToApi, await Harness.Get<OperatorCommands>().CancelBatchAsync(cancelled.Value, Ct));
        await Harness.RecordAllAsync([cancelled.Value], Ct);
        Assert.Equal("Cancelled", await Harness.Database.ScalarAsync<string>("select remote_status from orchestrator.batch where id = $1", cancelled.Value));

        Assert.Null(await RemoteOnlyRunAsync());
        Assert.Equal(new RetryOutcome(0, 0), await Harness.Get<OperatorCommands>().RetryFailedAsync(PipelineHarness.SourceName, Ct));
        Assert.Contains(Harness.Logs.Lines, l => l.Contains($"as its batch {cancelled.Value}, which an operator cancelled; nothing sent", StringComparison.Ordinal));

        await RemoteOnlyDirectory.UploadAsync(Harness, directoryId, "added", Ct);
        Assert.NotNull(await RemoteOnlyRunAsync());
    }

    private Task<long?> RemoteOnlyRunAsync() => RemoteOnlyDirectory.RunAsync(Harness, Ct);
}

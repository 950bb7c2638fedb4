namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>
/// A mirror's batch that carries a file's new content removes the old copy when it uploads, as its planning counted (and
/// so reserved nothing for it), even when the file is being rewritten again by then: kept, the batch would parse and
/// bill the old copy with no reservation, and its result would name no file of the batch.
/// </summary>
public sealed class MirrorStaleCopyFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task TheOldCopyOfAFileTheBatchCarriesAgain_IsRemovedAtUpload_ThoughTheFileChangesOnceMore()
    {
        Source.Layout = RemoteLayout.Mirror;
        Harness.WriteFile("a.txt", "alpha");
        Harness.WriteFile("b.txt", "beta, first content");
        var first = await Harness.PlanOneBatchAsync(Ct);
        await Harness.Get<BatchUploader>().UploadAsync(first, Ct);
        await Harness.Get<BatchSubmitter>().SubmitAsync(first, Ct);
        await Harness.RecordAllAsync([first], Ct);
        var oldB = await Harness.Database.ScalarAsync<long>("select id from orchestrator.file_version where relative_path = 'b.txt'");
        Harness.WriteFile("b.txt", "beta, second content, longer");
        var second = await Harness.PlanOneBatchAsync(Ct);

        // Before the batch uploads, b.txt is rewritten again: the run that sees it records a look not hashed yet (settling).
        Source.SettleWindow = TimeSpan.FromHours(1);
        Harness.WriteFile("b.txt", "beta, third content, longer still");
        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);
        Assert.True(await Harness.Database.ScalarAsync<bool>("select sha256 is null from orchestrator.source_file where relative_path = 'b.txt'"));
        await Harness.Get<BatchUploader>().UploadAsync(second, Ct);

        Assert.True(await Harness.Database.ScalarAsync<bool>("select remote_deleted_at is not null from orchestrator.file_version where id = $1", oldB));
        Assert.Equal(1, await Harness.Admin.CounterAsync("directory_file_deletes_total"));
    }

    private SourceOptions Source => Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources[0];
}

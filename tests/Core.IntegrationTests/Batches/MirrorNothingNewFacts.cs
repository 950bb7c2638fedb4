using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>
/// A mirror's batch parses, and bills, every copy in its directory: it is worth sending only for something new. One whose new and
/// changed files all dropped out at upload (changed again, gone, unreadable) was submitted all the same, every copy parsed again
/// for results already had (and again at each retry of a file that failed so); a held file deleted from the folder stayed held.
/// </summary>
public sealed class MirrorNothingNewFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    protected override Task<PipelineHarness> CreateHarnessAsync(PostgresServerFixture server) =>
        PipelineHarness.CreateAsync(server, new Dictionary<string, string?> { ["Sources:0:Layout"] = "Mirror" });

    [Fact]
    public async Task AMirrorBatchWhoseOnlyNewFileIsGoneAtUpload_EndsUnsubmitted_ReleasingItsReservations_AndLeavesTheCopiesAsTheyWere()
    {
        Harness.WriteFile("a.txt", "alpha");
        Harness.WriteFile("b.txt", "beta");
        var first = await Harness.RunOneBatchToFollowedUpAsync(Ct);
        var c = Harness.WriteFile("c.txt", "gamma");
        var second = await Harness.PlanOneBatchAsync(Ct);
        File.Delete(c);

        await Harness.Get<BatchUploader>().UploadAsync(second, Ct);

        Assert.Equal(1L, (await Harness.Admin.CountersAsync()).BatchCreatesTotal);
        Assert.Equal(
            ("ResultsRecorded", true, "no file of this batch could be uploaded"),
            (await Harness.Database.ListAsync(
                "select state, finished_at is not null, last_error from orchestrator.batch where id = $1", r => (r.GetString(0), r.GetBoolean(1), r.GetString(2)), second)).Single());
        Assert.Equal(
            [("a.txt", "Succeeded", first), ("b.txt", "Succeeded", first), ("c.txt", "Skipped", second)],
            await Harness.Database.ListAsync(
                "select relative_path, state, batch_id from orchestrator.file_version order by 1", r => (r.GetString(0), r.GetString(1), r.GetInt64(2))));
        Assert.Equal( // every reservation of the unsent batch released, those of the copies already there too
            [(0m, true), (0m, true), (0m, true)],
            await Harness.Database.ListAsync(
                "select billed_credits, settled_at is not null from orchestrator.credit_charge where batch_id = $1", r => (r.GetDecimal(0), r.GetBoolean(1)), second));
        Assert.Equal(20m, await Harness.Admin.CreditsBilledAsync());

        // Something new next time: the mirror batches every copy again, as before.
        Harness.WriteFile("d.txt", "delta");
        var third = await Harness.RunOneBatchToFollowedUpAsync(Ct);
        Assert.Equal(
            ["a.txt", "b.txt", "d.txt"],
            await Harness.Database.ListAsync("select relative_path from orchestrator.file_version where batch_id = $1 and state = 'Succeeded' order by 1", r => r.GetString(0), third));
        Assert.Equal(50m, await Harness.Admin.CreditsBilledAsync());
    }

    [Fact]
    public async Task AMirrorsHeldFile_DeletedFromTheFolder_IsLetGoByTheNextRun_ThoughThatRunPlansNoBatch()
    {
        await using var capped = await PipelineHarness.CreateAsync(Server, CapSettings.TwoFilesADay(("Sources:0:Layout", "Mirror")));
        capped.WriteFile("a.txt", "alpha");
        capped.WriteFile("b.txt", "beta");
        await capped.RunOneBatchToFollowedUpAsync(Ct);
        var c = capped.WriteFile("c.txt", "gamma"); // the batch would be 30 credits, with 5 left of the day's 25
        await capped.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);
        Assert.Equal("Held", await capped.Database.ScalarAsync<string>("select state from orchestrator.file_version where relative_path = 'c.txt'"));

        File.Delete(c);
        await capped.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);

        Assert.Equal(
            ("Skipped", true),
            (await capped.Database.ListAsync(
                "select state, held_cap is null from orchestrator.file_version where relative_path = 'c.txt'", r => (r.GetString(0), r.GetBoolean(1)))).Single());
        Assert.Equal(1L, await capped.Database.ScalarAsync<long>("select count(*) from orchestrator.batch"));
    }

    [Fact]
    public async Task AFileEditedThenPutBackAsItWas_BeforeItsBatchUploads_KeepsItsCopyInTheMirror()
    {
        // Its edit's version is in the batch and skipped at upload (the file holds its old content again); the copy of that old
        // content, which the batch's planning reserved as the folder's, must stay: nothing would ever send it again.
        var a = Harness.WriteFile("a.txt", "alpha");
        Harness.WriteFile("b.txt", "beta");
        await Harness.RunOneBatchToFollowedUpAsync(Ct);
        var source = Harness.Get<IOptions<SourcesOptions>>().Value.Sources[0];
        File.WriteAllText(a, "alpha, edited");
        await Harness.Get<SourceScanner>().ScanAsync(source, Ct);
        File.WriteAllText(a, "alpha");
        await Harness.Get<SourceScanner>().ScanAsync(source, Ct);
        var batch = await Harness.PlanOneBatchAsync(Ct);

        await Harness.Get<BatchUploader>().UploadAsync(batch, Ct);

        Assert.Equal("ResultsRecorded", await Harness.Database.ScalarAsync<string>("select state from orchestrator.batch where id = $1", batch));
        var directory = await Harness.Database.ScalarAsync<string>("select remote_directory_id from orchestrator.batch where id = $1", batch);
        var copies = await Harness.Get<IBatchApis>().For(ProjectScope.Default).ListDirectoryFilesAsync(directory, Ct);
        Assert.Equal(["a.txt", "b.txt"], copies.Select(c => c.DisplayName).Order(StringComparer.Ordinal));
        Assert.Equal(
            [("a.txt", "Succeeded"), ("a.txt", "Skipped"), ("b.txt", "Succeeded")],
            await Harness.Database.ListAsync(
                "select relative_path, state from orchestrator.file_version where remote_deleted_at is null order by relative_path, id", r => (r.GetString(0), r.GetString(1))));
    }
}

using BatchOrchestrator.Core.Planning;
using BatchOrchestrator.Persistence.Monitoring;

namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>The mirror layout (one remote directory kept equal to the folder), driven step by step over a real database and the Sandbox.</summary>
public sealed class MirrorLayoutFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task Mirror_KeepsOneDirectoryEqualToTheFolder_AndEachRunBatchesAllOfIt()
    {
        Configure(s => s.Layout = RemoteLayout.Mirror);
        Harness.WriteFile("keep.txt", "kept as it is");
        Harness.WriteFile("change.txt", "first content");
        Harness.WriteFile("delete.txt", "to be deleted");
        var first = await RunToTheEndAsync();

        File.Delete(Path.Combine(Harness.SourcePath, "delete.txt"));
        Harness.WriteFile("change.txt", "second content, replaced");
        Harness.WriteFile("added.txt", "new file");
        var second = await RunToTheEndAsync();

        var batches = await Harness.Database.ListAsync(
            "select remote_directory_id, remote_batch_id, file_count from orchestrator.batch where id = any($1) order by id",
            r => (Dir: r.GetString(0), Batch: r.GetString(1), Files: r.GetInt32(2)),
            new[] { first, second });
        Assert.Equal(batches[0].Dir, batches[1].Dir); // one long-lived directory
        Assert.NotEqual(batches[0].Batch, batches[1].Batch); // the second run did not adopt the first run's batch
        Assert.Equal((3, 3), (batches[0].Files, batches[1].Files)); // keep, change (new), added
        var counters = await Harness.Admin.CountersAsync();
        Assert.Equal(5, counters.UploadsTotal); // 3 + the replaced and the added file; keep.txt was not sent again
        Assert.Equal(2, counters.BatchCreatesByDirectory[batches[0].Dir]);
        Assert.Equal(2, await Harness.Admin.CounterAsync("directory_file_deletes_total")); // delete.txt and the old change.txt
        Assert.Equal(2, await Harness.Admin.CounterAsync("file_deletes_total")); // and the stored files behind them
        var inMirror = await Harness.Database.ListAsync(
            "select relative_path from orchestrator.file_version where remote_file_id is not null and remote_deleted_at is null order by 1", r => r.GetString(0));
        Assert.Equal(["added.txt", "change.txt", "keep.txt"], inMirror);
        Assert.Equal(3L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where batch_id = $1 and state = 'Succeeded'", second));

        // The first batch's files moved on to the second; its page still shows the three it processed, as it left them.
        var ops = Harness.Get<OpsQueries>();
        var pages = await ops.BatchesAsync(null, null, openOnly: false, 10, Ct);
        var firstRow = pages.Rows.Single(r => (long)pages.Value(r, "Batch")! == first);
        Assert.Equal("""{"Succeeded": 3}""", pages.Value(firstRow, "Files by state")?.ToString());
        Assert.Equal(3, (await ops.FindFilesAsync(null, null, first, 50, Ct)).Rows.Count);
    }

    [Fact]
    public async Task Mirror_AFileRestoredOrAnEditUndone_IsUploadedAgain_SoTheDirectoryHoldsTheFolderAsItIs()
    {
        // Content the source had before is its earlier version again (Mirror dedupes by content and path), whose
        // remote copy the mirror removed when the file went or changed: it must be sent again, not taken as known.
        Configure(s => s.Layout = RemoteLayout.Mirror);
        Harness.WriteFile("kept.txt", "kept as it is");
        Harness.WriteFile("restored.txt", "deleted, then restored from a backup");
        Harness.WriteFile("undone.txt", "the original");
        var first = await RunToTheEndAsync();
        File.Delete(Path.Combine(Harness.SourcePath, "restored.txt"));
        Harness.WriteFile("undone.txt", "an edit, undone later");
        var second = await RunToTheEndAsync();

        Harness.WriteFile("restored.txt", "deleted, then restored from a backup");
        Harness.WriteFile("undone.txt", "the original");
        var third = await RunToTheEndAsync();

        // LlamaCloud parsed what the directory holds: one result for each file of the folder, each with its job.
        Assert.Equal(3L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch_result where batch_id = $1 and job_id is not null", third));
        var inMirror = await Harness.Database.ListAsync(
            "select relative_path, encode(sha256, 'hex') from orchestrator.file_version where remote_file_id is not null and remote_deleted_at is null order by 1",
            r => (r.GetString(0), r.GetString(1)));
        Assert.Equal(
            [("kept.txt", Sha("kept as it is")), ("restored.txt", Sha("deleted, then restored from a backup")), ("undone.txt", Sha("the original"))],
            inMirror);
        Assert.Equal(
            ["kept.txt", "restored.txt", "undone.txt"],
            await Harness.Database.ListAsync("select relative_path from orchestrator.file_version where batch_id = $1 and state = 'Succeeded' order by 1", r => r.GetString(0), third));
        Assert.Equal(3 + 1 + 2, (await Harness.Admin.CountersAsync()).UploadsTotal); // 3, the edit, and the two sent again

        // The outputs are the folder's content again, whatever order the batches' follow-ups come in.
        await Harness.FollowUpAllAsync([third], Ct);
        await Harness.FollowUpAllAsync([first, second], Ct);
        var output = Path.Combine(Harness.Root, "output", PipelineHarness.SourceName);
        Assert.Contains("the original", await File.ReadAllTextAsync(Path.Combine(output, "undone.txt.md"), Ct), StringComparison.Ordinal);
        Assert.Contains("deleted, then restored from a backup", await File.ReadAllTextAsync(Path.Combine(output, "restored.txt.md"), Ct), StringComparison.Ordinal);

        static string Sha(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public async Task Mirror_AnEarlierBatchsJobEndingFailed_LeavesTheVersionALaterBatchDelivered()
    {
        // The mirror batches its whole directory again: the same version has a job in each batch, and the earlier one's
        // verdict, read after the later one delivered, is about a job the version has left behind.
        Configure(s => s.Layout = RemoteLayout.Mirror);
        Harness.WriteFile("a.txt", "alpha");
        await Harness.Admin.SetFaultsAsync(new { fail_files_matching = "a\\.txt" });
        var first = await RunToTheEndAsync();
        await Harness.Admin.SetFaultsAsync(new { fail_files_matching = "^$" });
        Harness.WriteFile("b.txt", "beta");
        var second = await RunToTheEndAsync();
        await Harness.FollowUpAllAsync([second], Ct);

        await Harness.FollowUpAllAsync([first], Ct);

        Assert.Equal(
            [("Succeeded", (string?)null, second)],
            await Harness.Database.ListAsync(
                "select v.state, v.error_message, r.batch_id from orchestrator.file_version v join orchestrator.batch_result r on r.job_id = v.job_id where v.relative_path = 'a.txt'",
                r => (r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetInt64(2))));
        Assert.Equal("FollowUpFailed", await Harness.Database.ScalarAsync<string>("select follow_up_state from orchestrator.batch_result where batch_id = $1", first));
    }

    [Fact]
    public async Task Mirror_RunOnAnUnchangedTree_PlansNoBatch_CostsNothing_AndCallsNothing()
    {
        // A mirror batch parses, and is billed for, every file in the directory: for a tree that has not changed it
        // would only pay again for the results already had.
        Configure(s => s.Layout = RemoteLayout.Mirror);
        Harness.WriteFile("a.txt", "alpha");
        Harness.WriteFile("b.txt", "beta");
        await RunToTheEndAsync();
        var requests = (await Harness.Admin.MapAsync("requests_by_route")).Values.Sum();
        var charges = await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.credit_charge");

        foreach (var trigger in new[] { RunTrigger.Schedule, RunTrigger.Manual, RunTrigger.Watch })
        {
            await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, trigger, Ct);
        }

        Assert.Equal(1L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch"));
        Assert.Equal(["NoChanges", "NoChanges", "NoChanges"], await Harness.Database.ListAsync("select state from orchestrator.run order by id offset 1", r => r.GetString(0)));
        Assert.Equal(charges, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.credit_charge"));
        Assert.Empty(Harness.Scheduler.BatchIds("upload").Skip(1));
        Assert.Equal(requests, (await Harness.Admin.MapAsync("requests_by_route")).Values.Sum());
    }

    [Fact]
    public async Task Mirror_AFileOnlyDeleted_HasItsCopyRemoved_WithoutParsingTheRestAgain()
    {
        // The files left are parsed already: a batch over the directory would bill each again for the same results.
        Configure(s => s.Layout = RemoteLayout.Mirror);
        Harness.WriteFile("a.txt", "alpha");
        Harness.WriteFile("b.txt", "beta");
        Harness.WriteFile("gone.txt", "to be deleted");
        var first = await RunToTheEndAsync();
        var directory = await Harness.Database.ScalarAsync<string>("select remote_directory_id from orchestrator.batch where id = $1", first);
        var charges = await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.credit_charge");

        File.Delete(Path.Combine(Harness.SourcePath, "gone.txt"));
        var preview = await Harness.Get<PlanPreview>().PreviewAsync(Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources[0], Ct);
        Assert.Equal((0m, 0), (preview.Credits, preview.Batches));
        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);
        var removal = Harness.Scheduler.BatchIds("upload").Single(id => id != first);
        await Harness.Get<BatchUploader>().UploadAsync(removal, Ct);

        Assert.Equal(
            ("ResultsRecorded", 0, directory, true, true),
            (await Harness.Database.ListAsync(
                "select state, file_count, remote_directory_id, remote_batch_id is null, last_error is null from orchestrator.batch where id = $1",
                r => (r.GetString(0), r.GetInt32(1), r.GetString(2), r.GetBoolean(3), r.GetBoolean(4)),
                removal)).Single());
        Assert.Equal("Completed", await Harness.Database.ScalarAsync<string>("select state from orchestrator.run order by id desc limit 1"));
        Assert.Equal(1, await Harness.Admin.CounterAsync("directory_file_deletes_total"));
        Assert.Equal(1, await Harness.Admin.CounterAsync("file_deletes_total"));
        Assert.Equal(1, (await Harness.Admin.CountersAsync()).BatchCreatesByDirectory[directory]);
        Assert.DoesNotContain(removal, Harness.Scheduler.BatchIds("submit"));
        Assert.Equal(charges, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.credit_charge"));

        // The next change batches the directory as it now is.
        Harness.WriteFile("c.txt", "gamma");
        var next = await RunToTheEndAsync();
        Assert.Equal(
            ["a.txt", "b.txt", "c.txt"],
            await Harness.Database.ListAsync("select relative_path from orchestrator.file_version where batch_id = $1 and state = 'Succeeded' order by 1", r => r.GetString(0), next));
    }

    [Fact]
    public async Task Mirror_AMirroredFileChangingButNotSettled_KeepsItsOldCopy_AndTheMirrorWaits_ThenSendsOnlyTheNewContent()
    {
        Configure(s => s.Layout = RemoteLayout.Mirror);
        Harness.WriteFile("a.txt", "alpha");
        Harness.WriteFile("b.txt", "beta, first content");
        await RunToTheEndAsync();
        var oldB = await Harness.Database.ScalarAsync<long>("select id from orchestrator.file_version where relative_path = 'b.txt'");

        // b.txt is being rewritten (seen changed, not settled yet) while a.txt is deleted, a change the mirror must send.
        Configure(s => s.SettleWindow = TimeSpan.FromHours(1));
        Harness.WriteFile("b.txt", "beta, second content, longer");
        File.Delete(Path.Combine(Harness.SourcePath, "a.txt"));
        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Manual, Ct);

        // Sending now would parse and bill b.txt's old content again while the disk holds another.
        Assert.Equal(1L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch"));
        Assert.Equal("NoChanges", await Harness.Database.ScalarAsync<string>("select state from orchestrator.run order by id desc limit 1"));
        Assert.Equal(1L, await Harness.Database.ScalarAsync<long>(
            "select count(*) from orchestrator.file_version where id = $1 and batch_id = (select min(id) from orchestrator.batch) and remote_deleted_at is null", oldB));
        Assert.Contains(Harness.Scheduler.Calls, c => c == ("scheduled-run", $"{PipelineHarness.SourceName}:Settle"));

        // Settled, the new content replaces the old copy, and only it is sent.
        Configure(s => s.SettleWindow = TimeSpan.Zero);
        var next = await Harness.PlanOneBatchAsync(Ct);
        await Harness.Get<BatchUploader>().UploadAsync(next, Ct);
        var inBatch = await Harness.Database.ListAsync(
            "select relative_path, id <> $2 from orchestrator.file_version where batch_id = $1", r => (r.GetString(0), r.GetBoolean(1)), next, oldB);
        Assert.Equal([("b.txt", true)], inBatch);
        Assert.Equal(3, (await Harness.Admin.CountersAsync()).UploadsTotal); // a, b, then b's new content
        Assert.Equal(2, await Harness.Admin.CounterAsync("directory_file_deletes_total")); // a.txt and b.txt's old copy
    }

    [Fact]
    public async Task Mirror_AnEndedRunsProgress_StaysAsItWas_WhenALaterRunBatchesItsFilesAgain()
    {
        Configure(s => s.Layout = RemoteLayout.Mirror);
        Harness.WriteFile("a.txt", "alpha");
        Harness.WriteFile("b.txt", "beta");
        await RunToTheEndAsync();
        Assert.Equal(["2/2"], await ProgressAsync());

        Harness.WriteFile("c.txt", "gamma");
        await RunToTheEndAsync(); // takes a.txt and b.txt again, with c.txt

        Assert.Equal(["3/3", "2/2"], await ProgressAsync());
    }

    [Fact]
    public async Task Mirror_RefusesARun_ThatWouldExceedOneBatch_SayingWhy()
    {
        await using var small = await PipelineHarness.CreateAsync(Server, new Dictionary<string, string?> { ["Pipeline:MaxFilesPerBatch"] = "2" });
        small.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources[0].Layout = RemoteLayout.Mirror;
        small.WriteFiles(3);

        await small.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Schedule, Ct);

        Assert.Equal(
            ("Failed", "the mirror of 'docs' would hold 3 files, more than one batch may cover (2); use Layout PerRun for this folder, or split it into several sources"),
            (await small.Database.ListAsync("select state, error from orchestrator.run", r => (r.GetString(0), r.GetString(1)))).Single());
        Assert.Empty(small.Scheduler.BatchIds("upload"));
    }

    [Fact]
    public async Task Mirror_MovedToAnotherProject_RefusesItsNextRun_SayingWhy_AndSendsNothing()
    {
        // Its directory stays in the project it was made in: sending the next batch's files there under the new
        // project would be refused file by file, and a new directory in the new project would hold only them.
        Configure(s => s.Layout = RemoteLayout.Mirror);
        Harness.WriteFile("keep.txt", "kept as it is");
        await RunToTheEndAsync();
        const string moved = "prj-55555555-5555-4555-8555-555555555555";
        Configure(s => s.ProjectId = moved);
        Harness.WriteFile("added.txt", "new file");

        await Harness.Get<SourceRunner>().RunAsync(PipelineHarness.SourceName, RunTrigger.Schedule, Ct);

        var directory = await Harness.Database.ScalarAsync<string>("select remote_directory_id from orchestrator.batch");
        Assert.Equal(
            ("Failed", $"the mirror of 'docs' is directory {directory} in project default, but the source is now configured for project {moved}; "
                + "a mirror cannot move between projects: set the source's ProjectId and OrganizationId back, or give it a new name to start a new mirror there"),
            (await Harness.Database.ListAsync("select state, error from orchestrator.run order by id desc limit 1", r => (r.GetString(0), r.GetString(1)))).Single());
        Assert.Equal(1L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.batch"));
        Assert.Equal("Discovered", await Harness.Database.ScalarAsync<string>("select state from orchestrator.file_version where relative_path = 'added.txt'"));
        Assert.Equal(1, (await Harness.Admin.CountersAsync()).UploadsTotal);

        // Set back, the mirror goes on where it is.
        Configure(s => s.ProjectId = null);
        var next = await RunToTheEndAsync();
        Assert.Equal(directory, await Harness.Database.ScalarAsync<string>("select remote_directory_id from orchestrator.batch where id = $1", next));
        Assert.Equal(2L, await Harness.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where batch_id = $1 and state = 'Succeeded'", next));
    }

    private async Task<List<string?>> ProgressAsync()
    {
        var runs = await Harness.Get<OpsQueries>().RunsAsync(null, 10, Ct);
        return [.. runs.Rows.Select(r => r[runs.IndexOf("Progress")]?.ToString())];
    }

    private void Configure(Action<SourceOptions> change) => change(Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources[0]);

    private async Task<long> RunToTheEndAsync()
    {
        var batchId = await Harness.PlanOneBatchAsync(Ct);
        await Harness.Get<BatchUploader>().UploadAsync(batchId, Ct);
        await Harness.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        await Harness.RecordAllAsync([batchId], Ct);
        return batchId;
    }
}

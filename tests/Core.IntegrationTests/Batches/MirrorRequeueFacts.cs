using BatchOrchestrator.Core.IntegrationTests.Resilience;
using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Core.IntegrationTests.Batches;

/// <summary>
/// A mirror's file whose job failed, or whose batch ended without it (lost by LlamaCloud: its files back in the queue), still
/// has its copy in the mirror's long-lived directory: the next batch over the directory must find there the folder as it
/// is, each file once.
/// </summary>
public sealed class MirrorRequeueFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task AMirroredFileWhoseJobFailed_IsInTheNextBatchOnce()
    {
        MirrorTheSource();
        Harness.WriteFile("failed.txt", "fails the first time");
        Harness.WriteFile("kept.txt", "kept as it is");
        await Harness.Admin.SetFaultsAsync(new { fail_files_matching = "failed" });
        await Harness.RunToRecordedAsync(Ct);
        await Harness.Admin.SetFaultsAsync(new { fail_files_matching = "^$" });

        Harness.WriteFile("added.txt", "new");
        var next = Assert.Single(await Harness.RunToRecordedAsync(Ct));

        await AssertTheMirrorHoldsTheFolderAsync(next, "added.txt", "failed.txt", "kept.txt");
    }

    [Fact]
    public async Task AMirroredFileWhoseJobFailedForAPassingReason_IsSentAgainByTheNextRun_ThoughNothingElseChanged()
    {
        // The retry rule takes it back as in any layout: left in the mirror as it was, no run would plan a batch for it,
        // while the log said a run takes it and "Needs a person" left it out for the same reason.
        MirrorTheSource();
        Harness.WriteFile("failed.txt", "times out the first time");
        Harness.WriteFile("kept.txt", "kept as it is");
        await Harness.Admin.SetFaultsAsync(new { fail_files_matching = "failed", file_failure_message = "Processing timed out after 1800 seconds" });
        var first = Assert.Single(await Harness.RunToRecordedAsync(Ct));
        await FollowUpChunks.WaitForItsJobsToEndAsync(Harness, first, Ct);
        await Harness.FollowUpAllAsync([first], Ct);
        await Harness.Admin.SetFaultsAsync(new { fail_files_matching = "^$" });
        var failed = (await Harness.Database.ListAsync(
            "select state, error_class from orchestrator.file_version where relative_path = 'failed.txt'", r => (r.GetString(0), r.GetString(1)))).Single();

        var next = Assert.Single(await Harness.RunToRecordedAsync(Ct));

        Assert.Equal(("Failed", "Transient"), failed);
        await AssertTheMirrorHoldsTheFolderAsync(next, "failed.txt", "kept.txt");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AMirrorBatchLlamaCloudLost_LeavesNoCopyBehind_ForTheNextBatchToParseAndBillAgain(bool editedMeanwhile)
    {
        // Its files go back to the queue as files never sent: their copies stay in the directory all the same.
        MirrorTheSource();
        Harness.WriteFile("edited.txt", "first content");
        Harness.WriteFile("kept.txt", "kept as it is");
        var lost = Assert.Single(await Harness.SubmitAllAsync(Ct));
        await Harness.LoseAsync(lost, Ct);
        await Harness.Get<BatchResultRecorder>().RecordAsync(lost, Ct);
        Assert.Equal(["Discovered", "Discovered"], await Harness.Database.ListAsync("select state from orchestrator.file_version order by id", r => r.GetString(0)));

        if (editedMeanwhile)
        {
            Harness.WriteFile("edited.txt", "second content, written after the batch was lost");
        }

        var next = Assert.Single(await Harness.RunToRecordedAsync(Ct));

        await AssertTheMirrorHoldsTheFolderAsync(next, "edited.txt", "kept.txt");
        if (editedMeanwhile)
        {
            Assert.Single(Harness.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("removed the copies no file version holds (1: edited.txt)", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task AMirrorWhoseDirectoryIsGone_AndWhoseBatchSentNothingIntoIt_IsNotRefused_AndItsNextBatchRebuildsIt()
    {
        // A batch that sent nothing new ends unsubmitted, not refused (every file of the mirror Failed); the next batch that
        // sends something finds the directory gone and uploads the whole mirror again into a new one, the copies it held too.
        MirrorTheSource();
        Harness.WriteFile("kept.txt", "kept as it is");
        var first = Assert.Single(await Harness.RunToRecordedAsync(Ct));
        var directory = await Harness.Database.ScalarAsync<string>("select remote_directory_id from orchestrator.batch where id = $1", first);
        Assert.True(await Harness.Get<IBatchApis>().For(ProjectScope.Default).DeleteDirectoryAsync(directory, Ct));
        Harness.WriteFile("added.txt", "new");
        var next = await Harness.PlanOneBatchAsync(Ct);
        Harness.WriteFile("added.txt", "new, and still being written"); // skipped at upload: nothing is sent into the directory

        await Harness.Get<BatchUploader>().UploadAsync(next, Ct);

        Assert.Equal("ResultsRecorded", await Harness.Database.ScalarAsync<string>("select state from orchestrator.batch where id = $1", next));
        Assert.Empty(await Harness.Database.ListAsync("select relative_path from orchestrator.file_version where state = 'Failed'", r => r.GetString(0)));

        var rebuilt = await Harness.PlanOneBatchAsync(Ct); // the rewritten added.txt
        await Harness.Get<BatchUploader>().UploadAsync(rebuilt, Ct);

        Assert.Equal("Creating", await Harness.Database.ScalarAsync<string>("select state from orchestrator.batch where id = $1", rebuilt));
        Assert.NotEqual(directory, await Harness.Database.ScalarAsync<string>("select remote_directory_id from orchestrator.batch where id = $1", rebuilt));
        await AssertTheMirrorHoldsTheFolderAsync(rebuilt, "added.txt", "kept.txt");
        Assert.Equal(
            ["added.txt", "kept.txt"],
            await Harness.Database.ListAsync("select relative_path from orchestrator.file_version where batch_id = $1 and state = 'Uploaded' order by 1", r => r.GetString(0), rebuilt));
    }

    private void MirrorTheSource() => Harness.Get<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources[0].Layout = RemoteLayout.Mirror;

    private async Task AssertTheMirrorHoldsTheFolderAsync(long batchId, params string[] paths)
    {
        var directory = await Harness.Database.ScalarAsync<string>("select remote_directory_id from orchestrator.batch where id = $1", batchId);
        var copies = await Harness.Get<IBatchApis>().For(ProjectScope.Default).ListDirectoryFilesAsync(directory, Ct);
        Assert.Equal(paths, copies.Select(c => c.DisplayName).Order(StringComparer.Ordinal));
        var recorded = await Harness.Database.ListAsync(
            "select remote_file_id from orchestrator.file_version where remote_directory_id = $1 and remote_file_id is not null and remote_deleted_at is null", r => r.GetString(0), directory);
        Assert.Equal(recorded.Order(StringComparer.Ordinal), copies.Select(c => c.Id).Order(StringComparer.Ordinal));
    }
}

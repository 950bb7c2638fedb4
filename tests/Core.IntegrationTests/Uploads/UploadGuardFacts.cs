using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Core.IntegrationTests.Uploads;

/// <summary>
/// The upload step's guards on real files and the Sandbox: files deleted or changed after the scan,
/// or while being uploaded, and the process-wide pace under the API's upload limit.
/// </summary>
public sealed class UploadGuardFacts(PostgresServerFixture server)
{
    [Fact]
    public async Task UploadAsync_RecordsWhy_AFileDeletedBetweenScanAndUploadWasNotSent()
    {
        await using var h = await HarnessAsync();
        h.WriteFiles(2);
        var batchId = await h.PlanOneBatchAsync(Ct);
        File.Delete(Path.Combine(h.SourcePath, "doc0000.txt"));

        await h.Get<BatchUploader>().UploadAsync(batchId, Ct);

        Assert.Equal(1, (await h.Admin.CountersAsync()).UploadsTotal);
        Assert.Equal(
            ("Skipped", "deleted or renamed after it was scanned"),
            (await h.Database.ListAsync("select state, error_message from orchestrator.file_version where relative_path = 'doc0000.txt'", r => (r.GetString(0), r.GetString(1)))).Single());
    }

    [Fact]
    public async Task AFileReplacedByALoopOfLinksBeforeItsUpload_EndsSkippedAlone_AndTheRestOfTheBatchIsSent()
    {
        // Following a link that loops fails with ELOOP: the step must not fail for it, nor end the other files of the batch.
        await using var h = await HarnessAsync();
        h.WriteFiles(2);
        var batchId = await h.PlanOneBatchAsync(Ct);
        var path = Path.Combine(h.SourcePath, "doc0000.txt");
        File.Delete(path);
        File.CreateSymbolicLink(path, path);

        await h.Get<BatchUploader>().UploadAsync(batchId, Ct);

        Assert.Equal(1, (await h.Admin.CountersAsync()).UploadsTotal);
        Assert.Equal(
            [("doc0000.txt", "Skipped"), ("doc0001.txt", "Uploaded")],
            await h.Database.ListAsync("select relative_path, state from orchestrator.file_version order by 1", r => (r.GetString(0), r.GetString(1))));
    }

    [Fact]
    public async Task AFileAwayOnlyWhileItsBatchUploaded_IsSentByTheNextRun_WhenItIsBackUnchanged()
    {
        // A share that drops during the upload and is back before the next scan, or a file moved out and back:
        // its look is the stored one again, so the scan sees nothing changed, yet its version was skipped.
        await using var h = await HarnessAsync();
        h.WriteFiles(2);
        var batchId = await h.PlanOneBatchAsync(Ct);
        var path = Path.Combine(h.SourcePath, "doc0000.txt");
        var away = Path.Combine(h.Root, "doc0000.txt");
        File.Move(path, away);
        await h.Get<BatchUploader>().UploadAsync(batchId, Ct);
        File.Move(away, path); // a rename keeps the size and mtime

        var next = await h.PlanOneBatchAsync(Ct);
        await h.Get<BatchUploader>().UploadAsync(next, Ct);

        Assert.Equal(2, (await h.Admin.CountersAsync()).UploadsTotal);
        Assert.Equal(
            ("Uploaded", next),
            (await h.Database.ListAsync("select state, batch_id from orchestrator.file_version where relative_path = 'doc0000.txt'", r => (r.GetString(0), r.GetInt64(1)))).Single());
    }

    [Fact]
    public async Task AFileChangedAfterAnUploadWhoseAnswerWasLost_IsTakenBackFromTheBatch_NotParsedWithIt()
    {
        // The upload took effect but its answer was lost (docs/sources.md, "Exactly-once uploads"); before the retry
        // the file changed. What the first attempt sent would otherwise stay in the batch's directory, be parsed and
        // billed with it, and no version would own its result; the next scan sends the file's content again.
        await using var h = await HarnessAsync();
        h.WriteFiles(2);
        var batchId = await h.PlanOneBatchAsync(Ct);
        await h.Admin.SetFaultsAsync(new { drop_after_effect_rate = 1.0, routes = new[] { "/files/upload" } });
        await Assert.ThrowsAnyAsync<LlamaCloudTransientException>(() => h.Get<BatchUploader>().UploadAsync(batchId, Ct));
        await h.Admin.SetFaultsAsync(new { drop_after_effect_rate = 0.0 });
        var path = Path.Combine(h.SourcePath, "doc0000.txt");
        File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path).AddMinutes(1));

        await h.Get<BatchUploader>().UploadAsync(batchId, Ct);

        Assert.Equal(1, await h.Admin.CounterAsync("directory_file_deletes_total"));
        Assert.Equal(
            ["Skipped", "Uploaded"],
            await h.Database.ListAsync("select state from orchestrator.file_version order by relative_path", r => r.GetString(0)));
    }

    [Fact]
    public async Task UploadAsync_TakesBackAFile_ThatWasWrittenToWhileItWasBeingUploaded()
    {
        await using var h = await HarnessAsync();
        var path = h.WriteFile("slow.bin", new string('x', 60_000));
        var batchId = await h.PlanOneBatchAsync(Ct);
        await h.Admin.SetFaultsAsync(new { slow_upload_bytes_per_second = 20_000, routes = new[] { "/files/upload" } });

        var upload = h.Get<BatchUploader>().UploadAsync(batchId, Ct);
        // The upload itself, not the directory look-up before it: the Sandbox counts a route when its request starts,
        // and the throttled body keeps this one in flight for about 3 s.
        await Eventually.WaitAsync(
            async () => await h.Admin.CounterAsync("requests_by_route", "POST /api/v1/beta/directories/{directory_id}/files/upload") > 0,
            TimeSpan.FromSeconds(10),
            "the upload to be in flight");
        File.AppendAllText(path, "appended while the upload was in flight");
        await upload; // no failure for Hangfire to retry, whether the send ended or broke off when the body outgrew its length

        var directoryId = await h.Database.ScalarAsync<string>("select remote_directory_id from orchestrator.batch where id = $1", batchId);
        Assert.Empty(await h.Get<IBatchApis>().For(ProjectScope.Default).ListDirectoryFilesAsync(directoryId, Ct));
        Assert.Equal("Skipped", await h.Database.ScalarAsync<string>("select state from orchestrator.file_version"));
    }

    [Fact]
    public async Task Uploads_ArePacedUnderTheApisLimit_SoNoneIsRefused()
    {
        await using var h = await HarnessAsync(permitsPerSecond: 10, pace: true);
        h.WriteFiles(25);
        var batchId = await h.PlanOneBatchAsync(Ct);

        await h.Get<BatchUploader>().UploadAsync(batchId, Ct);

        var counters = await h.Admin.CountersAsync();
        Assert.Equal(25, counters.UploadsTotal);
        Assert.False(counters.ResponsesByStatus.ContainsKey("429"), string.Join(", ", counters.ResponsesByStatus));
    }

    [Fact]
    public async Task WithoutPacing_TheSameUploadsAreRefusedWith429()
    {
        // The control for the test above: the Sandbox's limit does bite when nothing paces the uploads.
        await using var h = await HarnessAsync(permitsPerSecond: 10, pace: false);
        h.WriteFiles(25);
        var batchId = await h.PlanOneBatchAsync(Ct);

        await RetryTransientAsync(() => h.Get<BatchUploader>().UploadAsync(batchId, Ct));

        Assert.True((await h.Admin.CountersAsync()).ResponsesByStatus.GetValueOrDefault("429") > 0);
    }

    [Fact]
    public async Task A429_HoldsAndSlowsThePace_AndEveryFileIsStillUploadedOnce()
    {
        await using var h = await HarnessAsync(permitsPerSecond: 0, pace: true);
        h.WriteFiles(6);
        var batchId = await h.PlanOneBatchAsync(Ct);
        await h.Admin.SetFaultsAsync(new { too_many_requests_burst = 2, retry_after_ms = 200, routes = new[] { "/files/upload" } });

        await h.Get<BatchUploader>().UploadAsync(batchId, Ct);

        var counters = await h.Admin.CountersAsync();
        Assert.Equal(2, counters.ResponsesByStatus["429"]);
        Assert.Equal(6, counters.UploadsByUniqueId.Count);
        Assert.All(counters.UploadsByUniqueId.Values, n => Assert.Equal(1, n));
        Assert.True(h.Get<UploadPaces>().For(ProjectScope.Default).IsThrottled);
    }

    private Task<PipelineHarness> HarnessAsync(int permitsPerSecond = 0, bool pace = false)
    {
        var sandbox = new SandboxOptions { StepDelay = TimeSpan.FromMilliseconds(20) };
        sandbox.RateLimits["uploads"] = new SandboxRateLimit { PermitLimit = permitsPerSecond, Window = TimeSpan.FromSeconds(1) };
        return PipelineHarness.CreateAsync(
            server,
            new Dictionary<string, string?>
            {
                ["LlamaCloud:UploadRateLimit:PermitLimit"] = pace ? "10" : "0",
                ["LlamaCloud:UploadRateLimit:Window"] = "00:00:01",
                // A 1 s window is 10 uploads: one late request is 10 % of it, so this scaled-down test keeps more room than the default 0.95.
                ["LlamaCloud:UploadRateLimit:Headroom"] = "0.8",
                ["LlamaCloud:UploadRateLimit:ThrottledFor"] = "00:01:00",
                ["Pipeline:UploadConcurrency"] = "8",
            },
            sandbox);
    }


    private static async Task RetryTransientAsync(Func<Task> step)
    {
        // What Hangfire's retry would do: run the step again until its transient failures are gone.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await step();
                return;
            }
            catch (LlamaCloudTransientException) when (attempt < 20)
            {
            }
        }
    }
}

namespace BatchOrchestrator.Core.IntegrationTests.Uploads;

/// <summary>
/// A version skipped at upload (its file renamed, moved or changed after the scan) is sent by "the next scan"
/// (docs/sources.md, "What a scan takes"). The events that moved the file started their run before the skip, so the
/// skip itself asks for that scan: else the content waits for the schedule, a day away on the nightly default.
/// </summary>
public sealed class SkippedFileRunFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task AFileMovedToAnotherFolderWhileItsVersionWaitedForUpload_IsSentUnderItsNewName_ByARunTheSkipAsksFor()
    {
        Harness.WriteFile("a.md", "# Moved while its batch waited");
        var first = await Harness.PlanOneBatchAsync(Ct);
        Directory.CreateDirectory(Path.Combine(Harness.SourcePath, "filed"));
        File.Move(Path.Combine(Harness.SourcePath, "a.md"), Path.Combine(Harness.SourcePath, "filed", "b.md"));
        Assert.Empty(await Harness.PlanAsync(Ct)); // the run the move's events start: filed/b.md is a copy of the version in a batch
        var before = Harness.Scheduler.Calls.Count;

        await Harness.Get<BatchUploader>().UploadAsync(first, Ct); // a.md is gone: its version is skipped

        Assert.Equal(
            [("scheduled-run", $"{PipelineHarness.SourceName}:Settle")],
            Harness.Scheduler.Calls.Skip(before).Where(c => c.Step is "run" or "scheduled-run"));
        var batches = await Harness.RunToRecordedAsync(Ct);
        Assert.Single(batches);
        Assert.Equal(
            [("filed/b.md", "Succeeded")],
            await Harness.Database.ListAsync("select relative_path, state from orchestrator.file_story order by 1", r => (r.GetString(0), r.GetString(1))));
        Assert.Equal(1, (await Harness.Admin.CountersAsync()).UploadsTotal);
    }

    [Fact]
    public async Task AnUploadStepStoppedAfterASkip_StillAsksForTheLook()
    {
        // Stopped while its next file uploads (a deploy's SIGTERM): its next run finds no skip left to ask for, as the skip
        // was committed as it happened.
        await using var h = await PipelineHarness.CreateAsync(Server, new Dictionary<string, string?> { ["Pipeline:UploadConcurrency"] = "2" });
        h.WriteFile("a.md", "# Moved while its batch waited");
        h.WriteFile("b.md", "# Uploading when stopped");
        var first = await h.PlanOneBatchAsync(Ct);
        File.Move(Path.Combine(h.SourcePath, "a.md"), Path.Combine(h.SourcePath, "c.md"));
        await h.Admin.SetFaultsAsync(new { latency_ms = 30_000, routes = new[] { "files/upload" } });
        var before = h.Scheduler.Calls.Count;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var step = h.Get<BatchUploader>().UploadAsync(first, stop.Token);
        await Eventually.WaitAsync(
            async () => await h.Database.ScalarAsync<string>("select state from orchestrator.file_version where relative_path = 'a.md'") == "Skipped",
            TimeSpan.FromSeconds(30), "a.md to be skipped");
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => step);
        Assert.Contains(("scheduled-run", $"{PipelineHarness.SourceName}:Settle"), h.Scheduler.Calls.Skip(before));
    }

    [Fact]
    public async Task AnUploadThatSkipsNothing_AsksForNoRun()
    {
        Harness.WriteFile("a.md", "# Stays where it is");
        var first = await Harness.PlanOneBatchAsync(Ct);
        var before = Harness.Scheduler.Calls.Count;

        await Harness.Get<BatchUploader>().UploadAsync(first, Ct);

        Assert.DoesNotContain(Harness.Scheduler.Calls.Skip(before), c => c.Step is "run" or "scheduled-run");
    }
}

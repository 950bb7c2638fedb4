namespace BatchOrchestrator.Core.IntegrationTests.Resilience;

/// <summary>
/// One file whose upload fails every time (here too large to send within LlamaCloud:AttemptTimeout over a slow link)
/// does not hold back the rest of its batch (docs/resilience.md, "Bulkheads per file"): from the upload step's third run
/// it ends alone, Failed as Transient, and the batch is submitted with the others; a later run sends it again.
/// </summary>
public sealed class OneFileUploadFailsFacts(PostgresServerFixture server)
{
    [Fact]
    public async Task AFileWhoseUploadFailsEveryRun_EndsAloneFromTheThirdRun_AndTheOthersAreSubmitted()
    {
        await using var h = await PipelineHarness.CreateAsync(server, TimingOut());
        h.WriteFiles(3);
        h.WriteFile("large.txt", new string('x', 200_000)); // 10 s at 20 KB/s; each small file takes a few milliseconds
        var batchId = await h.PlanOneBatchAsync(Ct);
        await h.Admin.SetFaultsAsync(new { slow_upload_bytes_per_second = 20_000, routes = new[] { "/files/upload" } });

        for (var run = 1; run < FileSender.EndsAloneFrom; run++)
        {
            // What Hangfire's retries do: the step fails while a file is owed, and runs again for it alone.
            await Assert.ThrowsAnyAsync<LlamaCloudTransientException>(() => h.Get<BatchUploader>().UploadAsync(batchId, Ct));
        }

        await h.Get<BatchUploader>().UploadAsync(batchId, Ct);

        (string, string, string?)[] alone = [("doc0000.txt", "Uploaded", null), ("doc0001.txt", "Uploaded", null), ("doc0002.txt", "Uploaded", null), ("large.txt", "Failed", "Transient")];
        Assert.Equal(
            alone,
            await h.Database.ListAsync(
                "select relative_path, state, error_class from orchestrator.file_version order by relative_path",
                r => (r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2))));
        Assert.Contains(
            "its upload failed in run 3 of the upload step while the batch's other files were sent",
            await h.Database.ScalarAsync<string>("select error_message from orchestrator.file_version where relative_path = 'large.txt'"),
            StringComparison.Ordinal);
        Assert.Equal(1, await h.Database.ScalarAsync<int>("select process_attempts from orchestrator.file_version where relative_path = 'large.txt'"));
        Assert.Contains(batchId, h.Scheduler.BatchIds("submit"));
        // It goes again in a run Pipeline:RetryRunAfter later, not at the schedule's next run, a day away for a nightly source.
        Assert.Contains(("scheduled-run", $"{PipelineHarness.SourceName}:Retry", TimeSpan.FromMinutes(15)), h.Scheduler.Delays);

        // The batch goes on with the others, each gets its job reference; the large file alone waits for a later run.
        await h.Get<BatchSubmitter>().SubmitAsync(batchId, Ct);
        await h.RecordAllAsync([batchId], Ct);
        Assert.Equal(3L, await h.Database.ScalarAsync<long>("select count(*) from orchestrator.file_version where state = 'Succeeded' and job_id is not null"));

        await h.Admin.SetFaultsAsync(new { slow_upload_bytes_per_second = 0 });
        await h.RunToRecordedAsync(Ct);
        Assert.Equal("Succeeded", await h.Database.ScalarAsync<string>("select state from orchestrator.file_version where relative_path = 'large.txt'"));
    }

    [Fact]
    public async Task AFileEndedAloneOnItsLastAttempt_SchedulesNoRun_ForNoneWouldTakeIt()
    {
        var settings = TimingOut();
        settings["Pipeline:MaxStepAttempts"] = "1"; // it ends alone in the step's first run
        settings["Sources:0:MaxAttempts"] = "1";
        await using var h = await PipelineHarness.CreateAsync(server, settings);
        h.WriteFiles(2);
        h.WriteFile("large.txt", new string('x', 200_000));
        var batchId = await h.PlanOneBatchAsync(Ct);
        await h.Admin.SetFaultsAsync(new { slow_upload_bytes_per_second = 20_000, routes = new[] { "/files/upload" } });

        await h.Get<BatchUploader>().UploadAsync(batchId, Ct);

        Assert.Equal(
            [("Failed", "Transient")],
            await h.Database.ListAsync("select state, error_class from orchestrator.file_version where relative_path = 'large.txt'", r => (r.GetString(0), r.GetString(1))));
        Assert.Contains(batchId, h.Scheduler.BatchIds("submit"));
        Assert.DoesNotContain(h.Scheduler.Delays, d => d.Step == "scheduled-run");
    }

    private static Dictionary<string, string?> TimingOut() => new()
    {
        ["LlamaCloud:MaxRetries"] = "0",
        ["LlamaCloud:CircuitBreaker:Enabled"] = "false", // the timeouts must reach the step, not pause the project
        ["LlamaCloud:AttemptTimeout"] = "00:00:02",
        ["LlamaCloud:MaxInProcessRetryWait"] = "00:00:01",
    };
}

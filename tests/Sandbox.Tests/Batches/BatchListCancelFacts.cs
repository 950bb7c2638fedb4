namespace BatchOrchestrator.Sandbox.Tests.Batches;

public sealed class BatchListCancelFacts
{
    [Fact]
    public async Task List_FiltersByDirectoryStatusAndCreatedAt_NewestFirst_WithNullResults()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.StepDelay = TimeSpan.FromHours(1));
        var a = await sandbox.CreateDirectoryAsync("a");
        var b = await sandbox.CreateDirectoryAsync("b");
        var first = await sandbox.CreateBatchAsync(a);
        var second = await sandbox.CreateBatchAsync(a);
        var other = await sandbox.CreateBatchAsync(b);

        var byDir = await sandbox.OkAsync(HttpMethod.Get, $"api/v2/batches?source_directory_id={a}");
        var pending = await sandbox.OkAsync(HttpMethod.Get, "api/v2/batches?status=PENDING");
        var running = await sandbox.OkAsync(HttpMethod.Get, "api/v2/batches?status=RUNNING");
        var future = await sandbox.OkAsync(HttpMethod.Get, "api/v2/batches?created_at_on_or_after=2999-01-01T00:00:00Z");
        var past = await sandbox.OkAsync(HttpMethod.Get, "api/v2/batches?created_at_on_or_before=2000-01-01T00:00:00Z");
        var page1 = await sandbox.OkAsync(HttpMethod.Get, "api/v2/batches?page_size=2");
        var page2 = await sandbox.OkAsync(HttpMethod.Get, $"api/v2/batches?page_size=2&page_token={(string)page1["next_page_token"]!}");
        var (badStatus, _) = await sandbox.GetAsync("api/v2/batches?status=DONE");

        Assert.Equal(new[] { second, first }, byDir["items"]!.AsArray().Select(i => (string)i!["id"]!));
        Assert.Equal(3, pending["items"]!.AsArray().Count);
        Assert.Empty(running["items"]!.AsArray());
        Assert.Empty(future["items"]!.AsArray());
        Assert.Empty(past["items"]!.AsArray());
        Assert.Equal(new[] { other, second }, page1["items"]!.AsArray().Select(i => (string)i!["id"]!));
        Assert.Equal(new[] { first }, page2["items"]!.AsArray().Select(i => (string)i!["id"]!));
        Assert.Null(page2["next_page_token"]);
        Assert.All(pending["items"]!.AsArray(), i => Assert.Null(i!["results"]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badStatus);
    }

    [Fact]
    public async Task Cancel_ReturnsImmediately_ThenTheBatchIsCancelled()
    {
        // Ten files mapped one per 100 ms step: the batch is far from terminal when the cancel lands.
        await using var sandbox = await TestSandbox.StartAsync(o =>
        {
            o.StepDelay = TimeSpan.FromMilliseconds(100);
            o.FilesMappedPerStep = 1;
        });
        var dir = await sandbox.CreateDirectoryAsync("c");
        await sandbox.UploadTextFilesAsync(dir, 10);

        var batch = await sandbox.CreateBatchAsync(dir);

        var answer = await sandbox.OkAsync(HttpMethod.Post, $"api/v2/batches/{batch}/cancel");
        var cancelled = await sandbox.WaitForBatchAsync(batch, "CANCELLED", "COMPLETED");

        Assert.Equal(batch, (string)answer["id"]!);
        Assert.NotEqual("CANCELLED", (string)answer["status"]!);
        Assert.Equal("CANCELLED", (string)cancelled["status"]!);
        Assert.Equal(1, await sandbox.Admin.CounterAsync("batch_cancels_total"));
    }

    [Fact]
    public async Task Cancel_KeepsTheResultsOfFilesAlreadyMapped()
    {
        await using var sandbox = await TestSandbox.StartAsync(o =>
        {
            o.FilesMappedPerStep = 1;
            o.StepDelay = TimeSpan.FromMilliseconds(50);
        });
        var dir = await sandbox.CreateDirectoryAsync("partial");
        await sandbox.UploadTextFilesAsync(dir, 40);

        var batch = await sandbox.CreateBatchAsync(dir);
        await sandbox.WaitForCountersAsync(c => (int)c["parse_jobs_created_total"]! >= 2);
        await sandbox.OkAsync(HttpMethod.Post, $"api/v2/batches/{batch}/cancel");
        var cancelled = await sandbox.WaitForBatchAsync(batch, "CANCELLED");

        var results = cancelled["results"]!.AsArray();
        Assert.InRange(results.Count, 2, 39);
        Assert.All(results, r => Assert.NotNull(r!["job_reference"]));
    }

    [Fact]
    public async Task Cancel_Is409ForATerminalBatch_And404ForAnUnknownOne()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var dir = await sandbox.CreateDirectoryAsync("t");
        var batch = await sandbox.CreateBatchAsync(dir);
        await sandbox.WaitForBatchAsync(batch, "COMPLETED");

        var (terminal, body) = await sandbox.PostAsync($"api/v2/batches/{batch}/cancel");
        var (unknown, _) = await sandbox.PostAsync("api/v2/batches/bat-nope/cancel");

        Assert.Equal(HttpStatusCode.Conflict, terminal);
        Assert.Contains("COMPLETED", (string)body!["detail"]!, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown);
    }

    [Fact]
    public async Task ConcurrencyCap_HoldsExtraBatchesInThrottled_UntilCapacityFrees()
    {
        await using var sandbox = await TestSandbox.StartAsync(o =>
        {
            o.MaxConcurrentBatches = 1;
            o.FilesMappedPerStep = 1;
            o.StepDelay = TimeSpan.FromMilliseconds(100); // the first batch runs a second: the second one's THROTTLED cannot be missed
        });
        var dir = await sandbox.CreateDirectoryAsync("cap");
        await sandbox.UploadTextFilesAsync(dir, 10);

        var first = await sandbox.CreateBatchAsync(dir);
        var second = await sandbox.CreateBatchAsync(dir);
        var throttled = await sandbox.WaitForBatchAsync(second, "THROTTLED");
        var firstDone = await sandbox.WaitForBatchAsync(first, "COMPLETED");
        var secondDone = await sandbox.WaitForBatchAsync(second, "COMPLETED");

        Assert.Equal("THROTTLED", (string)throttled["status"]!);
        Assert.True(DateTimeOffset.Parse((string)secondDone["updated_at"]!, System.Globalization.CultureInfo.InvariantCulture) >= DateTimeOffset.Parse((string)firstDone["updated_at"]!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task FailNextBatches_EndsTheNextBatchFailed_ThenCountsDown()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.Faults.FailNextBatches = 1);
        var (dir, _) = await sandbox.DirectoryWithTextFileAsync("f", "a.txt", "x");
        await sandbox.UploadTextAsync(dir, "b.txt", "x");

        var failed = await sandbox.WaitForBatchAsync(await sandbox.CreateBatchAsync(dir), "FAILED", "COMPLETED");
        var next = await sandbox.WaitForBatchAsync(await sandbox.CreateBatchAsync(dir), "FAILED", "COMPLETED");
        var faults = await sandbox.OkAsync(HttpMethod.Get, "_sandbox/faults");

        Assert.Equal("FAILED", (string)failed["status"]!);
        Assert.Equal("COMPLETED", (string)next["status"]!);
        Assert.Equal(0, (int)faults["fail_next_batches"]!);
    }

    [Fact]
    public async Task FailBatchesMatching_FailsBatchesOverMatchingDirectories()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.Faults.FailBatchesMatching = "^doomed-");
        var doomed = await sandbox.CreateDirectoryAsync("doomed-1");
        var fine = await sandbox.CreateDirectoryAsync("fine-1");

        var a = await sandbox.WaitForBatchAsync(await sandbox.CreateBatchAsync(doomed), "FAILED", "COMPLETED");
        var b = await sandbox.WaitForBatchAsync(await sandbox.CreateBatchAsync(fine), "FAILED", "COMPLETED");

        Assert.Equal("FAILED", (string)a["status"]!);
        Assert.Equal("COMPLETED", (string)b["status"]!);
    }
}

namespace BatchOrchestrator.Sandbox.Tests.Admin;

public sealed class AdminEndpointFacts : SandboxPerTest
{
    [Fact]
    public async Task Counters_HaveTheDocumentedShape_FromTheStart()
    {
        var counters = await Sandbox.Admin.CountersJsonAsync();

        foreach (var total in new[] { "uploads_total", "directory_creates_total", "batch_creates_total", "max_concurrent_requests" })
        {
            Assert.Equal(0, (int)counters[total]!);
        }

        foreach (var map in new[] { "uploads_by_unique_id", "directory_creates_by_name", "batch_creates_by_directory", "requests_by_route", "responses_by_status" })
        {
            Assert.Empty(counters[map]!.AsObject());
        }
    }

    [Fact]
    public async Task Counters_TrackRoutesStatusesAndPeakConcurrency()
    {
        await RestartSandboxAsync(o => o.Faults.Latency = TimeSpan.FromMilliseconds(150));
        var dir = await Sandbox.CreateDirectoryAsync("c");

        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Sandbox.UploadTextAsync(dir, $"{i}.txt", "x", $"u{i}")));
        var counters = await Sandbox.Admin.CountersJsonAsync();

        Assert.Equal(4, (int)counters["uploads_total"]!);
        Assert.Equal(1, (int)counters["uploads_by_unique_id"]!["u3"]!);
        Assert.Equal(4, (int)counters["requests_by_route"]!["POST /api/v1/beta/directories/{directory_id}/files/upload"]!);
        Assert.Equal(5, (int)counters["responses_by_status"]!["200"]!);
        Assert.InRange((int)counters["max_concurrent_requests"]!, 2, 4);
    }

    [Fact]
    public async Task Reset_ClearsResourcesCountersAndFaults_BackToStartup()
    {
        await RestartSandboxAsync(o => o.Faults.FileFailureRate = 0.5);
        var dir = await Sandbox.CreateDirectoryAsync("r");
        await Sandbox.Admin.SetFaultsAsync(new { error_rate = 0.25, file_failure_rate = 0.9 });

        var (status, _) = await Sandbox.PostAsync("_sandbox/reset");
        var counters = await Sandbox.Admin.CountersJsonAsync();
        var faults = await Sandbox.OkAsync(HttpMethod.Get, "_sandbox/faults");
        var (gone, _) = await Sandbox.GetAsync($"api/v1/beta/directories/{dir}");

        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.Equal(0, (int)counters["directory_creates_total"]!);
        Assert.Equal(0, (double)faults["error_rate"]!);
        Assert.Equal(0.5, (double)faults["file_failure_rate"]!);
        Assert.Equal(HttpStatusCode.NotFound, gone);
        Assert.Equal(1, await Sandbox.Admin.CounterAsync("responses_by_status", "404"));
    }

    [Fact]
    public async Task ForgetBatch_MakesAV2BatchOrAV1JobUnknown_AsAnExpiredOne_AndKeepsTheRest()
    {
        var (dir, _) = await Sandbox.DirectoryWithTextFileAsync("f", "a.txt", "alpha");
        var kept = await Sandbox.CreateBatchAsync(dir);
        var forgotten = await Sandbox.CreateBatchAsync(dir);
        var v1 = (string)(await Sandbox.OkAsync(
            HttpMethod.Post, "api/v1/beta/batch-processing", new { directory_id = dir, job_config = new { job_name = "parse_raw_file_job", parameters = new { type = "parse" } } }))["id"]!;

        var (first, _) = await Sandbox.SendAsync(HttpMethod.Delete, $"_sandbox/batches/{forgotten}");
        var (second, _) = await Sandbox.SendAsync(HttpMethod.Delete, $"_sandbox/batches/{forgotten}");
        var (job, _) = await Sandbox.SendAsync(HttpMethod.Delete, $"_sandbox/batches/{v1}");
        var (gone, body) = await Sandbox.GetAsync($"api/v2/batches/{forgotten}");
        var (goneJob, _) = await Sandbox.GetAsync($"api/v1/beta/batch-processing/{v1}");
        var listed = await Sandbox.OkAsync(HttpMethod.Get, $"api/v2/batches?source_directory_id={dir}");

        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NotFound, HttpStatusCode.NoContent), (first, second, job));
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (gone, goneJob));
        Assert.Equal($"Batch '{forgotten}' not found", (string)body!["detail"]!);
        Assert.Equal([kept], listed["items"]!.AsArray().Select(i => (string)i!["id"]!));
    }

    [Fact]
    public async Task Faults_PostChangesOnlyTheFieldsPresent()
    {
        await RestartSandboxAsync(o => o.Faults.Latency = TimeSpan.FromMilliseconds(5));

        var first = await Sandbox.OkAsync(HttpMethod.Post, "_sandbox/faults", new { error_rate = 0.1 });
        var second = await Sandbox.OkAsync(HttpMethod.Post, "_sandbox/faults", new { routes = new[] { "/files/upload" }, rate_limits = new { uploads = new { permit_limit = 7, window_ms = 2000 } } });
        var read = await Sandbox.OkAsync(HttpMethod.Get, "_sandbox/faults");

        Assert.Equal(0.1, (double)first["error_rate"]!);
        Assert.Equal(5, (int)first["latency_ms"]!);
        Assert.Equal(0.1, (double)second["error_rate"]!);
        Assert.Equal("/files/upload", (string)read["routes"]![0]!);
        Assert.Equal(7, (int)read["rate_limits"]!["uploads"]!["permit_limit"]!);
        Assert.Equal(2000, (int)read["rate_limits"]!["uploads"]!["window_ms"]!);
    }

    [Theory]
    [InlineData("""{"error_rate": 2}""", "error_rate")]
    [InlineData("""{"no_such_fault": 1}""", "no_such_fault")]
    [InlineData("""{"fail_files_matching": "(["}""", "fail_files_matching")]
    [InlineData("""{"error_status_codes": [404]}""", "error_status_codes")]
    [InlineData("""{"rate_limits": {"everything": {"permit_limit": 1}}}""", "rate_limits")]
    public async Task Faults_PostIs422_ForBadOrUnknownFields_AndChangesNothing(string json, string field)
    {
        var (status, body) = await Sandbox.PostAsync("_sandbox/faults", json);
        var read = await Sandbox.OkAsync(HttpMethod.Get, "_sandbox/faults");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal(field, (string)body!["detail"]![0]!["loc"]![1]!);
        Assert.Equal(0, (double)read["error_rate"]!);
    }

    [Fact]
    public async Task Health_IsOk()
    {
        var body = await Sandbox.OkAsync(HttpMethod.Get, "_sandbox/health");

        Assert.Equal("ok", (string)body["status"]!);
    }
}

namespace BatchOrchestrator.Sandbox.Tests.V1Batches;

public sealed class V1BatchFacts
{
    private static readonly JsonObject ParseConfig = JsonNode.Parse("""{"job_name":"parse_raw_file_job","parameters":{"type":"parse","parse_mode":"parse_page_with_llm"}}""")!.AsObject();

    private static async Task<string> CreateAsync(TestSandbox sandbox, JsonObject body)
        => (string)(await sandbox.OkAsync(HttpMethod.Post, "api/v1/beta/batch-processing", body.ToJsonString()))["id"]!;

    [Fact]
    public async Task DirectoryJob_RunsToCompleted_WithProgressItemsAndParseJobs()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var (dir, _) = await sandbox.DirectoryWithTextFileAsync("v1", "a.txt", "one");
        await sandbox.UploadTextAsync(dir, "b.txt", "two");

        var id = await CreateAsync(sandbox, new JsonObject { ["directory_id"] = dir, ["job_config"] = ParseConfig.DeepClone() });
        var done = await sandbox.WaitForAsync($"api/v1/beta/batch-processing/{id}", j => (string)j["job"]!["status"]! == "completed");
        var items = await sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/batch-processing/{id}/items");

        Assert.Equal(100, (double)done["progress_percentage"]!);
        Assert.Equal("parse", (string)done["job"]!["job_type"]!);
        Assert.Equal(2, (int)done["job"]!["total_items"]!);
        Assert.Equal(2, (int)done["job"]!["processed_items"]!);
        Assert.Equal(2, (int)items["total_size"]!);
        Assert.All(items["items"]!.AsArray(), i =>
        {
            Assert.Equal("completed", (string)i!["status"]!);
            Assert.StartsWith("pjb-", (string)i["job_id"]!, StringComparison.Ordinal);
        });
        Assert.Equal("a.txt", (string)items["items"]![0]!["item_name"]!);
    }

    [Theory]
    [InlineData("fast", null, 1)]
    [InlineData("agentic_plus", null, 45)]
    [InlineData(null, null, 10)] // no tier: the service's default mode, billed at the Sandbox's guess
    [InlineData(null, "cost_effective", 3)]
    public async Task ParseJobs_AreBilledAtTheTierTheJobAsksFor_OrTheConfiguredDefault(string? tier, string? defaultTier, double creditsPerPage)
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.V1ParseDefaultTier = defaultTier ?? o.V1ParseDefaultTier);
        var (dir, _) = await sandbox.DirectoryWithTextFileAsync("v1", "a.txt", "one");
        var config = ParseConfig.DeepClone().AsObject();
        if (tier is not null)
        {
            config["parameters"]!["tier"] = tier;
        }

        var id = await CreateAsync(sandbox, new JsonObject { ["directory_id"] = dir, ["job_config"] = config });
        await sandbox.WaitForAsync($"api/v1/beta/batch-processing/{id}", j => (string)j["job"]!["status"]! == "completed");
        var item = (await sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/batch-processing/{id}/items"))["items"]![0]!;
        var job = await sandbox.WaitForAsync($"api/v2/parse/{(string)item["job_id"]!}?expand=usage", j => (string)j["job"]!["status"]! == "COMPLETED");

        Assert.Equal(creditsPerPage, (double)job["job"]!["usage"]!["credits"]!); // a one-page text file
    }

    [Fact]
    public async Task SameFilesAndParametersAgain_AreSkippedAsAlreadyProcessed_AndResultsPointBack()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var (dir, entry) = await sandbox.DirectoryWithTextFileAsync("v1", "a.txt", "one");
        var first = await CreateAsync(sandbox, new JsonObject { ["item_ids"] = new JsonArray(entry), ["job_config"] = ParseConfig.DeepClone() });
        await sandbox.WaitForAsync($"api/v1/beta/batch-processing/{first}", j => (string)j["job"]!["status"]! == "completed");

        var second = await CreateAsync(sandbox, new JsonObject { ["item_ids"] = new JsonArray(entry), ["job_config"] = ParseConfig.DeepClone() });
        await sandbox.WaitForAsync($"api/v1/beta/batch-processing/{second}", j => (string)j["job"]!["status"]! == "completed");
        var items = await sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/batch-processing/{second}/items?status=skipped");
        var results = await sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/batch-processing/items/{entry}/processing-results");
        var (badType, _) = await sandbox.GetAsync($"api/v1/beta/batch-processing/items/{entry}/processing-results?job_type=bogus"); // 'classify' | 'extract' | 'parse'

        var skipped = items["items"]!.AsArray().Single()!;
        Assert.Equal("already_processed", (string)skipped["skip_reason"]!);
        var result = results["processing_results"]!.AsArray().Single()!;
        Assert.Equal("parse", (string)result["job_type"]!);
        Assert.Equal(64, ((string)result["parameters_hash"]!).Length);
        Assert.StartsWith("s3://", (string)result["output_s3_path"]!, StringComparison.Ordinal);
        Assert.Equal(entry, (string)results["item_id"]!);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badType);
    }

    [Fact]
    public async Task LargeItems_AreSkippedForSize_AndFailuresAreCounted()
    {
        await using var sandbox = await TestSandbox.StartAsync(o =>
        {
            o.V1ItemSizeLimitBytes = 5;
            o.Faults.FailFilesMatching = "^bad";
        });
        var (dir, _) = await sandbox.DirectoryWithTextFileAsync("v1", "big.txt", "123456789");
        await sandbox.UploadTextAsync(dir, "bad.txt", "1");
        await sandbox.UploadTextAsync(dir, "ok.txt", "2");

        var id = await CreateAsync(sandbox, new JsonObject { ["directory_id"] = dir, ["job_config"] = ParseConfig.DeepClone() });
        var done = await sandbox.WaitForAsync($"api/v1/beta/batch-processing/{id}", j => (string)j["job"]!["status"]! == "completed");
        var items = (await sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/batch-processing/{id}/items"))["items"]!.AsArray();

        Assert.Equal(1, (int)done["job"]!["skipped_items"]!);
        Assert.Equal(1, (int)done["job"]!["failed_items"]!);
        Assert.Equal("size_limit_exceeded", (string)items[0]!["skip_reason"]!);
        Assert.Equal("failed", (string)items[1]!["status"]!);
        Assert.False(string.IsNullOrEmpty((string?)items[1]!["error_message"]));
        Assert.Equal("completed", (string)items[2]!["status"]!);
    }

    [Fact]
    public async Task ClassifyJob_LabelsEachItem_InItsClassifierJobsResults()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var (dir, entry) = await sandbox.DirectoryWithTextFileAsync("v1", "a.txt", "one");
        var config = V1JobConfigFacts.Classify(sandbox.Options.DefaultProjectId);

        var id = await CreateAsync(sandbox, new JsonObject { ["item_ids"] = new JsonArray(entry), ["job_config"] = config });
        var done = await sandbox.WaitForAsync($"api/v1/beta/batch-processing/{id}", j => (string)j["job"]!["status"]! == "completed");
        var item = (await sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/batch-processing/{id}/items"))["items"]![0]!;
        var classified = await sandbox.OkAsync(HttpMethod.Get, $"api/v1/classifier/jobs/{(string)item["job_id"]!}/results");
        var processing = await sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/batch-processing/items/{entry}/processing-results?job_type=classify");

        Assert.Equal("classify", (string)done["job"]!["job_type"]!);
        var result = classified["items"]!.AsArray().Single()!;
        Assert.Contains((string)result["result"]!["type"]!, new[] { "invoice", "receipt" });
        Assert.Equal((string)item["job_id"]!, (string)result["classify_job_id"]!);
        Assert.StartsWith("dfl-", (string)result["file_id"]!, StringComparison.Ordinal);
        Assert.Empty(processing["processing_results"]![0]!["output_metadata"]!.AsObject()); // "currently empty", as the SDK documents it
    }

    [Fact]
    public async Task Cancel_MarksPendingItemsCancelled_AndATerminalJobIsRefused()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.StepDelay = TimeSpan.FromHours(1));
        var (dir, _) = await sandbox.DirectoryWithTextFileAsync("v1", "a.txt", "one");
        var id = await CreateAsync(sandbox, new JsonObject { ["directory_id"] = dir, ["job_config"] = ParseConfig.DeepClone() });

        var (badReason, _) = await sandbox.PostAsync($"api/v1/beta/batch-processing/{id}/cancel", new { reason = new { why = "test" } }); // "reason?: string | null"
        var (notAnObject, _) = await sandbox.PostAsync($"api/v1/beta/batch-processing/{id}/cancel", "\"test\""); // the body is BatchCancelParams, an object
        var cancel = await sandbox.OkAsync(HttpMethod.Post, $"api/v1/beta/batch-processing/{id}/cancel", new { reason = "test" });
        var (again, _) = await sandbox.PostAsync($"api/v1/beta/batch-processing/{id}/cancel");
        var items = await sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/batch-processing/{id}/items?status=cancelled");
        var job = await sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/batch-processing/{id}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, badReason);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, notAnObject);
        Assert.Equal(id, (string)cancel["job_id"]!);
        Assert.Equal("cancelled", (string)cancel["status"]!);
        Assert.Equal(0, (int)cancel["processed_items"]!);
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.False(Assert.Single(items["items"]!.AsArray())!.AsObject().ContainsKey("effective_at")); // "effective_at?: string": never started, so absent, not null
        Assert.Equal(100, (double)job["progress_percentage"]!);
    }

    [Fact]
    public async Task List_FiltersAndPagesByLimitOffset()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.StepDelay = TimeSpan.FromHours(1));
        var dir = await sandbox.CreateDirectoryAsync("v1");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await CreateAsync(sandbox, new JsonObject { ["directory_id"] = dir, ["job_config"] = ParseConfig.DeepClone() }));
        }

        var page = await sandbox.OkAsync(HttpMethod.Get, "api/v1/beta/batch-processing?limit=2&offset=1");
        var byDir = await sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/batch-processing?directory_id={dir}&job_type=parse&status=pending");
        var none = await sandbox.OkAsync(HttpMethod.Get, "api/v1/beta/batch-processing?job_type=classify");
        var (badLimit, _) = await sandbox.GetAsync("api/v1/beta/batch-processing?limit=0");
        var (badStatus, _) = await sandbox.GetAsync("api/v1/beta/batch-processing?status=RUNNING");

        Assert.Equal(3, (int)page["total_size"]!);
        Assert.Equal(new[] { ids[1], ids[0] }, page["items"]!.AsArray().Select(j => (string)j!["id"]!));
        Assert.Equal(3, byDir["items"]!.AsArray().Count);
        Assert.Empty(none["items"]!.AsArray());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badLimit);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badStatus);
    }

    [Theory]
    [InlineData("api/v1/beta/batch-processing?status=", "status")] // "status?: … | null": an empty value is none of the union
    [InlineData("api/v1/beta/batch-processing?job_type=", "job_type")]
    [InlineData("api/v1/beta/batch-processing/unknown-job/items?status=", "status")]
    [InlineData("api/v1/beta/batch-processing/items/unknown-item/processing-results?job_type=", "job_type")]
    public async Task AnEmptyEnumQueryValue_Is422_NotAbsent(string path, string name)
    {
        await using var sandbox = await TestSandbox.StartAsync();

        var (status, body) = await sandbox.GetAsync(path);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var issue = body!["detail"]!.AsArray().Single()!;
        Assert.Equal(("literal_error", $"query.{name}", ""), ((string)issue["type"]!, string.Join('.', issue["loc"]!.AsArray()), (string)issue["input"]!));
    }

    [Theory]
    [InlineData("""{"directory_id":"dir-x"}""", "job_config")]
    [InlineData("""{"job_config":{}}""", "directory_id")]
    [InlineData("""{"job_config":{},"directory_id":"dir-x","item_ids":["a"]}""", "directory_id")]
    [InlineData("""{"job_config":{},"item_ids":["dfl-none"]}""", "item_ids")]
    [InlineData("""{"job_config":{"rules":[{"description":"no type"}]},"item_ids":[]}""", "job_config")]
    [InlineData("""{"job_config":{},"directory_id":"dir-x","page_size":null}""", "page_size")]
    [InlineData("""{"job_config":{},"directory_id":"dir-x","page_size":"10"}""", "page_size")]
    public async Task Create_Is422_ForInvalidBodies(string json, string field)
    {
        await using var sandbox = await TestSandbox.StartAsync();

        var (status, body) = await sandbox.PostAsync("api/v1/beta/batch-processing", json);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains(body!["detail"]!.AsArray(), i => (string)i!["loc"]![1]! == field);
    }

    [Fact]
    public async Task UnknownIds_Are404()
    {
        await using var sandbox = await TestSandbox.StartAsync();

        var (job, _) = await sandbox.GetAsync("api/v1/beta/batch-processing/00000000-0000-0000-0000-000000000000");
        var (items, _) = await sandbox.GetAsync("api/v1/beta/batch-processing/nope/items");
        var (results, _) = await sandbox.GetAsync("api/v1/beta/batch-processing/items/nope/processing-results");
        var (cancel, _) = await sandbox.PostAsync("api/v1/beta/batch-processing/nope/cancel");
        var (directory, _) = await sandbox.PostAsync("api/v1/beta/batch-processing", """{"job_config":{},"directory_id":"dir-none"}""");

        Assert.All(new[] { job, items, results, cancel, directory }, s => Assert.Equal(HttpStatusCode.NotFound, s));
    }
}

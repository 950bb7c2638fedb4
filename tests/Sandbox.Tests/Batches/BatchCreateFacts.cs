namespace BatchOrchestrator.Sandbox.Tests.Batches;

public sealed class BatchCreateFacts
{
    [Fact]
    public async Task Create_ReturnsPendingBatch_WithNullResults_AndCountsIt()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.StepDelay = TimeSpan.FromHours(1));
        var (dir, _) = await sandbox.DirectoryWithTextFileAsync("b", "a.txt", "x");

        var batch = await sandbox.OkAsync(HttpMethod.Post, "api/v2/batches", new
        {
            source_directory_id = dir,
            config = new { job = new { type = "parse_v2", configuration_id = "cfg-PARSE_AGENTIC" } },
        });
        var counters = await sandbox.Admin.CountersJsonAsync();

        Assert.StartsWith("bat-", (string)batch["id"]!, StringComparison.Ordinal);
        Assert.Equal("PENDING", (string)batch["status"]!);
        Assert.Equal(dir, (string)batch["source_directory_id"]!);
        Assert.Equal("parse_v2", (string)batch["config"]!["job"]!["type"]!);
        Assert.Equal("cfg-PARSE_AGENTIC", (string)batch["config"]!["job"]!["configuration_id"]!);
        Assert.True(batch.AsObject().ContainsKey("results"));
        Assert.Null(batch["results"]);
        Assert.Equal(1, (int)counters["batch_creates_total"]!);
        Assert.Equal(1, (int)counters["batch_creates_by_directory"]![dir]!);
    }

    [Fact]
    public async Task Create_Is404_ForUnknownDirectory()
    {
        await using var sandbox = await TestSandbox.StartAsync();

        var (status, body) = await sandbox.PostAsync("api/v2/batches", new { source_directory_id = "dir-nope", config = new { job = new { type = "parse_v2", configuration_id = "cfg-PARSE_AGENTIC" } } });

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("dir-nope", (string)body!["detail"]!, StringComparison.Ordinal);
        Assert.Equal(0, await sandbox.Admin.CounterAsync("batch_creates_total"));
    }

    [Theory]
    [InlineData("""{"config":{"job":{"type":"parse_v2","configuration_id":"cfg-PARSE_AGENTIC"}}}""", "missing", "body,source_directory_id")]
    [InlineData("""{"source_directory_id":"dir-x"}""", "missing", "body,config")]
    [InlineData("""{"source_directory_id":"dir-x","config":{}}""", "missing", "body,config,job")]
    [InlineData("""{"source_directory_id":"dir-x","config":{"job":{"type":"classify_v2","configuration_id":"cfg-PARSE_AGENTIC"}}}""", "literal_error", "body,config,job,type")]
    [InlineData("""{"source_directory_id":"dir-x","config":{"job":{"type":"parse_v2"}}}""", "missing", "body,config,job,configuration_id")]
    [InlineData("""{"source_directory_id":"dir-x","config":{"job":{"type":"parse_v2","configuration_id":"cfg-NOPE"}}}""", "value_error", "body,config,job,configuration_id")]
    [InlineData("""{"source_directory_id":"dir-x","config":{"job":{"type":"extract_v2","configuration_id":"cfg-PARSE_AGENTIC"}}}""", "value_error", "body,config,job,configuration_id")]
    [InlineData("""{"source_directory_id":"dir-x","config":{"job":{"type":"parse_v2","configuration_id":"cfg-PARSE_AGENTIC"}},"webhook_configuration_ids":["wh-none"]}""", "value_error", "body,webhook_configuration_ids,0")]
    [InlineData("""{"source_directory_id":"dir-x","config":{"job":{"type":"parse_v2","configuration_id":"cfg-PARSE_AGENTIC"}},"webhook_configurations":[{"webhook_url":"not a url"}]}""", "url_parsing", "body,webhook_configurations,0,webhook_url")]
    [InlineData("""{"source_directory_id":"dir-x","config":{"job":{"type":"parse_v2","configuration_id":"cfg-PARSE_AGENTIC"}},"webhook_configurations":[{"webhook_url":"http://127.0.0.1/h","webhook_events":["batch.nope"]}]}""", "enum", "body,webhook_configurations,0,webhook_events,0")]
    public async Task Create_Is422WithTheFieldLocation_WhenBodyInvalid(string json, string type, string loc)
    {
        await using var sandbox = await TestSandbox.StartAsync();

        var (status, body) = await sandbox.PostAsync("api/v2/batches", json);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var issues = body!["detail"]!.AsArray();
        Assert.Contains(issues, i => (string)i!["type"]! == type && string.Join(',', i["loc"]!.AsArray().Select(p => p!.ToString())) == loc);
    }

    [Theory]
    [InlineData("cfg-PARSE_FAST")]
    [InlineData("cfg-PARSE_COST_EFFECTIVE")]
    [InlineData("cfg-PARSE_AGENTIC_PLUS")]
    public async Task Create_RefusesAnUndocumentedPreset_UnlessTheSandboxIsToldToAcceptThem(string preset)
    {
        await using var strict = await TestSandbox.StartAsync();
        await using var lenient = await TestSandbox.StartAsync(o => o.Guesses.AcceptUndocumentedPresets = true);
        var body = new { source_directory_id = await strict.CreateDirectoryAsync("b"), config = new { job = new { type = "parse_v2", configuration_id = preset } } };

        var (refused, detail) = await strict.PostAsync("api/v2/batches", System.Text.Json.JsonSerializer.Serialize(body));
        var id = await lenient.CreateBatchAsync(await lenient.CreateDirectoryAsync("b"), configurationId: preset);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused);
        Assert.Contains("configuration_id", detail!.ToJsonString(), StringComparison.Ordinal);
        Assert.StartsWith("bat-", id, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_AcceptsAConfiguredExtraPreset()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.ParsePresets["cfg-PARSE_LEGAL"] = "agentic");
        var dir = await sandbox.CreateDirectoryAsync("b");

        var id = await sandbox.CreateBatchAsync(dir, configurationId: "cfg-PARSE_LEGAL");

        Assert.StartsWith("bat-", id, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_IsRejected_WhenTheDirectoryHasMoreThanTheFileLimit()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.MaxBatchFiles = 3);
        var dir = await sandbox.CreateDirectoryAsync("big");
        await sandbox.UploadTextFilesAsync(dir, 4);

        var (status, body) = await sandbox.PostAsync("api/v2/batches", new JsonObject
        {
            ["source_directory_id"] = dir,
            ["config"] = JsonNode.Parse("""{"job":{"type":"parse_v2","configuration_id":"cfg-PARSE_AGENTIC"}}"""),
        }.ToJsonString());

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("limited to 3", (string)body!["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_AllowsExactlyTheFileLimit_AndIgnoresDeletedFiles()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.MaxBatchFiles = 2);
        var dir = await sandbox.CreateDirectoryAsync("edge");
        var files = await sandbox.UploadTextFilesAsync(dir, 3);
        await sandbox.SendAsync(HttpMethod.Delete, $"api/v1/beta/directories/{dir}/files/{files[2]}");

        var batch = await sandbox.CreateBatchAsync(dir);
        var done = await sandbox.WaitForBatchAsync(batch, "COMPLETED");

        Assert.Equal(2, done["results"]!.AsArray().Count);
    }
}

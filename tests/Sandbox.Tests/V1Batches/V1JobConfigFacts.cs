namespace BatchOrchestrator.Sandbox.Tests.V1Batches;

/// <summary>
/// The v1 <c>job_config</c> is checked as strictly as TS SDK 2.13.0 types it: the classify variant's
/// required fields, the parse variant's literal job_name, no field either variant lacks; the guesses
/// about a new classify job's ids are options.
/// </summary>
public sealed class V1JobConfigFacts
{
    /// <summary>A classify config with every field <c>ClassifyJob</c> requires.</summary>
    public static JsonObject Classify(string projectId) => new()
    {
        ["id"] = "7f0c0e0e-0000-4000-8000-000000000000",
        ["project_id"] = projectId,
        ["user_id"] = "batchorchestrator",
        ["status"] = "PENDING",
        ["mode"] = "FAST",
        ["rules"] = new JsonArray(
            new JsonObject { ["type"] = "invoice", ["description"] = "bills" },
            new JsonObject { ["type"] = "receipt", ["description"] = "slips" }),
    };

    [Theory]
    [InlineData("id", "missing")]
    [InlineData("project_id", "missing")]
    [InlineData("user_id", "missing")]
    [InlineData("status", "missing")]
    public async Task Classify_WithoutARequiredField_Is422AtThatField(string field, string type)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var config = Classify(sandbox.Options.DefaultProjectId);
        config.Remove(field);

        var detail = await RefusedAsync(sandbox, config);

        Assert.Contains(detail, i => Loc(i) == $"body.job_config.{field}" && (string)i!["type"]! == type && (string)i!["msg"]! == "Field required");
    }

    [Theory]
    [InlineData("status", "pending")] // StatusEnum is upper case
    [InlineData("mode", "SLOW")]
    public async Task Classify_WithAValueOutsideItsEnum_Is422(string field, string value)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var config = Classify(sandbox.Options.DefaultProjectId);
        config[field] = value;

        var detail = await RefusedAsync(sandbox, config);

        Assert.Contains(detail, i => Loc(i) == $"body.job_config.{field}" && (string)i!["type"]! == "literal_error");
    }

    [Fact]
    public async Task Parse_WithAnotherJobName_OrAFieldNeitherVariantHas_Is422()
    {
        await using var sandbox = await TestSandbox.StartAsync();

        var wrongName = await RefusedAsync(sandbox, new JsonObject { ["job_name"] = "PARSE_RAW_FILE" });
        var extra = await RefusedAsync(sandbox, new JsonObject { ["job_name"] = "parse_raw_file_job", ["mode"] = "FAST" });
        var extraParameter = await RefusedAsync(sandbox, new JsonObject { ["parameters"] = new JsonObject { ["type"] = "parse", ["tier_name"] = "agentic" } });

        Assert.Contains(wrongName, i => Loc(i) == "body.job_config.job_name" && (string)i!["type"]! == "literal_error");
        Assert.Contains(extra, i => Loc(i) == "body.job_config.mode" && (string)i!["type"]! == "extra_forbidden");
        Assert.Contains(extraParameter, i => Loc(i) == "body.job_config.parameters.tier_name");
    }

    [Fact]
    public async Task Classify_IdGuesses_AreChecksYouCanTurnOn()
    {
        await using var sandbox = await TestSandbox.StartAsync(o =>
        {
            o.Guesses.V1ClassifyIdMustBeUuid = true;
            o.Guesses.V1ClassifyUserId = "usr-42";
        });
        var otherProject = Classify("prj-00000000-0000-4000-8000-000000000099");
        var notUuid = Classify(sandbox.Options.DefaultProjectId);
        notUuid["id"] = "job-1";
        notUuid["user_id"] = "usr-42";

        var wrongProject = await RefusedAsync(sandbox, otherProject);
        var wrongId = await RefusedAsync(sandbox, notUuid);

        Assert.Contains(wrongProject, i => Loc(i) == "body.job_config.project_id");
        Assert.Contains(wrongProject, i => Loc(i) == "body.job_config.user_id");
        Assert.Contains(wrongId, i => Loc(i) == "body.job_config.id" && (string)i!["type"]! == "uuid_parsing");
    }

    [Fact]
    public async Task PageSizeAndThreshold_AreAcceptedAsNumbers()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.StepDelay = TimeSpan.FromHours(1));
        var dir = await sandbox.CreateDirectoryAsync("v1");

        var (status, body) = await sandbox.PostAsync(
            "api/v1/beta/batch-processing",
            new JsonObject { ["directory_id"] = dir, ["job_config"] = new JsonObject { ["job_name"] = "parse_raw_file_job" }, ["page_size"] = 25, ["continue_as_new_threshold"] = null }.ToJsonString());

        Assert.True(status == HttpStatusCode.OK, body?.ToJsonString());
    }

    private static async Task<JsonArray> RefusedAsync(TestSandbox sandbox, JsonObject config)
    {
        var dir = await sandbox.CreateDirectoryAsync("v1-" + Guid.NewGuid().ToString("N")[..8]);
        var (status, body) = await sandbox.PostAsync("api/v1/beta/batch-processing", new JsonObject { ["directory_id"] = dir, ["job_config"] = config }.ToJsonString());
        Assert.True(status == HttpStatusCode.UnprocessableEntity, $"expected 422, got {(int)status}: {body?.ToJsonString()}");
        return body!["detail"]!.AsArray();
    }

    private static string Loc(JsonNode? issue) => string.Join('.', issue!["loc"]!.AsArray().Select(p => p!.ToString()));
}

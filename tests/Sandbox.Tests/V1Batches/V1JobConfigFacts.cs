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

    [Theory]
    [InlineData("rules", "null", "rules", "list_type")] // "rules: Array<ClassifierRule>"
    [InlineData("mode", "null", "mode", "literal_error")] // "mode?: 'FAST' | 'MULTIMODAL'": optional, never null
    [InlineData("effective_at", "null", "effective_at", "string_type")]
    [InlineData("parsing_configuration", "null", "parsing_configuration", "model_type")]
    [InlineData("parsing_configuration", """{"lang":"english"}""", "parsing_configuration.lang", "enum")] // ParsingLanguages: ISO codes
    [InlineData("parsing_configuration", """{"target_pages":"1-3"}""", "parsing_configuration.target_pages", "list_type")] // "Array<number> | null"
    [InlineData("parsing_configuration", """{"target_pages":["1"]}""", "parsing_configuration.target_pages.0", "int_type")]
    [InlineData("parsing_configuration", """{"target_pages":[1,2.5]}""", "parsing_configuration.target_pages.1", "int_type")]
    public async Task Classify_WithAValueItsTypeRefuses_Is422AtThatField(string field, string json, string at, string type)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var config = Classify(sandbox.Options.DefaultProjectId);
        config[field] = JsonNode.Parse(json);

        var detail = await RefusedAsync(sandbox, config);

        Assert.Contains(detail, i => Loc(i) == $"body.job_config.{at}" && (string)i!["type"]! == type);
    }

    [Theory]
    [InlineData("""{"job_name":null}""", "job_name", "literal_error")] // "job_name?: 'parse_raw_file_job'": optional, never null
    [InlineData("""{"partitions":null}""", "partitions", "dict_type")]
    [InlineData("""{"parameters":{"type":null}}""", "parameters.type", "literal_error")]
    [InlineData("""{"parameters":{"languages":null}}""", "parameters.languages", "list_type")]
    [InlineData("""{"parameters":{"languages":["en","klingon"]}}""", "parameters.languages.1", "enum")]
    [InlineData("""{"parameters":{"parse_mode":"bogus"}}""", "parameters.parse_mode", "enum")]
    [InlineData("""{"parameters":{"tier":"premium"}}""", "parameters.tier", "enum")] // a string in the SDK; the Sandbox's guess is the parse tiers
    [InlineData("""{"parameters":{"replace_failed_page_mode":"skip"}}""", "parameters.replace_failed_page_mode", "enum")]
    [InlineData("""{"parameters":{"priority":"urgent"}}""", "parameters.priority", "literal_error")]
    [InlineData("""{"parameters":{"images_to_save":["photos"]}}""", "parameters.images_to_save.0", "literal_error")]
    [InlineData("""{"parameters":{"lang":123}}""", "parameters.lang", "string_type")]
    [InlineData("""{"parameters":{"lang":null}}""", "parameters.lang", "string_type")] // "lang?: string"
    [InlineData("""{"parameters":{"do_not_cache":"yes"}}""", "parameters.do_not_cache", "bool_type")]
    [InlineData("""{"parameters":{"output_tables_as_HTML":"yes"}}""", "parameters.output_tables_as_HTML", "bool_type")] // spelled so in the SDK
    [InlineData("""{"parameters":{"outputBucket":1}}""", "parameters.outputBucket", "string_type")]
    [InlineData("""{"parameters":{"max_pages":"3"}}""", "parameters.max_pages", "float_type")]
    [InlineData("""{"parameters":{"custom_metadata":"x"}}""", "parameters.custom_metadata", "dict_type")]
    [InlineData("""{"parameters":{"webhook_configurations":["http://x"]}}""", "parameters.webhook_configurations.0", "model_type")]
    [InlineData("""{"parameters":{"webhook_configurations":[{"webhook_events":["batch.success"]}]}}""", "parameters.webhook_configurations.0.webhook_events.0", "literal_error")] // 2.13.0's enum has no batch events
    [InlineData("""{"parameters":{"webhook_configurations":[{"webhook_headers":{"x":1}}]}}""", "parameters.webhook_configurations.0.webhook_headers.x", "string_type")]
    [InlineData("""{"parameters":{"webhook_configurations":[{"webhook_url":5}]}}""", "parameters.webhook_configurations.0.webhook_url", "string_type")]
    public async Task Parse_WithAValueItsTypeRefuses_Is422AtThatField(string json, string at, string type)
    {
        await using var sandbox = await TestSandbox.StartAsync();

        var detail = await RefusedAsync(sandbox, JsonNode.Parse(json)!.AsObject());

        Assert.Contains(detail, i => Loc(i) == $"body.job_config.{at}" && (string)i!["type"]! == type);
    }

    [Fact]
    public async Task Configs_OfEveryFieldKind_WithValuesTheirTypesAllow_AreAccepted()
    {
        await using var sandbox = await TestSandbox.StartAsync(o => o.StepDelay = TimeSpan.FromHours(1));
        var dir = await sandbox.CreateDirectoryAsync("v1");
        var parse = JsonNode.Parse("""
            {"job_name":"parse_raw_file_job","partitions":{"a":"b"},"parameters":{"type":"parse","languages":["en","ch_sim"],
             "parse_mode":"parse_page_with_llm","tier":"cost_effective","replace_failed_page_mode":"raw_text","priority":null,"images_to_save":["layout"],
             "lang":"en","do_not_cache":true,"output_tables_as_HTML":true,"outputBucket":null,"disable_ocr":null,"max_pages":3,"bbox_top":0.1,"target_pages":null,
             "custom_metadata":{"n":1},"resource_info":null,
             "webhook_configurations":[{"webhook_url":"https://example.com/h","webhook_events":["parse.success"],"webhook_headers":{"a":"b"},"webhook_output_format":"any"}]}}
            """)!.AsObject();
        var classify = Classify(sandbox.Options.DefaultProjectId);
        classify["parsing_configuration"] = JsonNode.Parse("""{"lang":"fr","max_pages":null,"target_pages":[1,2]}""");

        foreach (var config in new[] { parse, classify })
        {
            var (status, body) = await sandbox.PostAsync("api/v1/beta/batch-processing", new JsonObject { ["directory_id"] = dir, ["job_config"] = config }.ToJsonString());
            Assert.True(status == HttpStatusCode.OK, body?.ToJsonString());
        }
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

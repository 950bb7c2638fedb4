namespace BatchOrchestrator.Sandbox.Tests.Fidelity;

/// <summary>
/// pydantic v2 gives a constrained value's error a <c>ctx</c> naming the constraint, written after <c>input</c>:
/// <c>literal_error</c> and <c>enum</c> the values expected (each in single quotes, ", " between, " or " before the
/// last, as in the message), the bounds <c>ge</c> and <c>le</c>, a short string its <c>min_length</c>, a short list its
/// <c>field_type</c>, <c>min_length</c> and <c>actual_length</c>. Other errors carry none.
/// </summary>
public sealed class IssueContextFacts : SandboxPerTest
{
    public static TheoryData<string, string?, string, string, string?> Issues => new()
    {
        { "api/v2/batches", """{"source_directory_id":"dir-x","config":{"job":{"type":"split_v1","configuration_id":"cfg-x"}}}""", "body,config,job,type", "literal_error", """{"expected":"'parse_v2' or 'extract_v2'"}""" },
        { "api/v2/batches?status=done", null, "query,status", "literal_error", """{"expected":"'CANCELLED', 'COMPLETED', 'FAILED', 'PENDING', 'RUNNING' or 'THROTTLED'"}""" },
        { "api/v1/beta/directories?types=user&types=shared", null, "query,types,1", "literal_error", """{"expected":"'ephemeral', 'index' or 'user'"}""" },
        { "api/v1/beta/batch-processing", """{"item_ids":["dfl-x"],"job_config":{"job_name":"parse_raw_file_job","parameters":{"parse_mode":"bogus"}}}""", "body,job_config,parameters,parse_mode", "enum", null },
        { "api/v2/parse?page_size=0", null, "query,page_size", "greater_than_equal", """{"ge":1}""" },
        { "api/v1/beta/batch-processing?limit=5000", null, "query,limit", "less_than_equal", """{"le":1000}""" },
        { "api/v1/beta/batch-processing?limit=0", null, "query,limit", "greater_than_equal", """{"ge":1}""" },
        { "api/v1/beta/batch-processing?offset=-1", null, "query,offset", "greater_than_equal", """{"ge":0}""" },
        { "api/v2/parse", """{"tier":"fast","version":"latest","file_id":"dfl-x","crop_box":{"top":2}}""", "body,crop_box,top", "less_than_equal", """{"le":1}""" },
        { "api/v2/parse", """{"tier":"fast","version":"latest","file_id":"dfl-x","crop_box":{"left":-0.5}}""", "body,crop_box,left", "greater_than_equal", """{"ge":0}""" },
        { "api/v2/parse", """{"tier":"fast","version":"latest","file_id":"dfl-x","processing_control":{"timeouts":{"base_in_seconds":9000}}}""", "body,processing_control,timeouts,base_in_seconds", "less_than_equal", """{"le":7200}""" },
        { "api/v2/parse", """{"tier":"turbo","version":"latest","file_id":"dfl-x"}""", "body,tier", "literal_error", """{"expected":"'fast', 'cost_effective', 'agentic' or 'agentic_plus'"}""" },
        { "api/v1/beta/directories", """{"name":""}""", "body,name", "string_too_short", """{"min_length":1}""" },
        { "api/v1/beta/configurations", """{"name":"c","parameters":{"product_type":"classify_v2","rules":[]}}""", "body,parameters,rules", "too_short", """{"field_type":"List","min_length":1,"actual_length":0}""" },
        { "api/v1/beta/webhook-configs", """{"webhook_url":"https://example.com/h","webhook_events":[]}""", "body,webhook_events", "too_short", """{"field_type":"List","min_length":1,"actual_length":0}""" },
        { "api/v1/beta/webhook-configs", """{"webhook_url":"https://example.com/h","webhook_events":["batch.success","batch.later"]}""", "body,webhook_events,1", "enum", null },
    };

    [Theory]
    [MemberData(nameof(Issues))]
    public async Task AConstrainedValuesIssue_CarriesPydanticsCtx_AfterItsInput(string path, string? json, string loc, string type, string? ctx)
    {
        var (status, body) = json is null ? await Sandbox.GetAsync(path) : await Sandbox.PostAsync(path, json);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var issue = Assert.Single(body!["detail"]!.AsArray(), i => Loc(i!) == loc)!.AsObject();
        Assert.Equal(type, (string)issue["type"]!);
        Assert.Equal(["type", "loc", "msg", "input", "ctx"], issue.Select(p => p.Key));
        var expected = issue["ctx"]!["expected"];
        if (ctx is not null)
        {
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(ctx), issue["ctx"]), issue["ctx"]!.ToJsonString());
        }

        // The message names the same values or bound as the ctx.
        if (expected is not null)
        {
            Assert.Equal("Input should be " + (string)expected!, (string)issue["msg"]!);
        }
    }

    [Fact]
    public async Task AListParametersItem_QuotesThatItemAsItsInput()
    {
        var (_, body) = await Sandbox.GetAsync("api/v1/beta/directories?types=shared&types=user");

        var issue = Assert.Single(body!["detail"]!.AsArray())!;
        Assert.Equal("query,types,0", Loc(issue));
        Assert.Equal("shared", (string)issue["input"]!);
    }

    [Theory]
    [InlineData("api/v2/parse?page_size=ten", "page_size")]
    [InlineData("api/v1/beta/batch-processing?limit=1.5", "limit")]
    public async Task QueryTextThatIsNoInteger_IsPydanticsIntParsing_WithoutCtx(string path, string parameter)
    {
        var (_, body) = await Sandbox.GetAsync(path);

        var issue = Assert.Single(body!["detail"]!.AsArray())!.AsObject();
        Assert.Equal(("int_parsing", "query," + parameter), ((string)issue["type"]!, Loc(issue)));
        Assert.Equal("Input should be a valid integer, unable to parse string as an integer", (string)issue["msg"]!);
        Assert.False(issue.ContainsKey("ctx"));
    }

    [Fact]
    public async Task ATypeError_CarriesNoCtx()
    {
        var (_, body) = await Sandbox.PostAsync("api/v1/beta/directories", """{"name":5}""");

        var issue = Assert.Single(body!["detail"]!.AsArray())!.AsObject();
        Assert.Equal(["type", "loc", "msg", "input"], issue.Select(p => p.Key));
    }

    private static string Loc(JsonNode issue) => string.Join(',', issue["loc"]!.AsArray().Select(l => l!.ToString()));
}

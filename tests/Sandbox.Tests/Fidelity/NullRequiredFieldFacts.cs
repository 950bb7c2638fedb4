namespace BatchOrchestrator.Sandbox.Tests.Fidelity;

/// <summary>
/// A required field sent as JSON null is not missing: pydantic v2 refuses None for a field that is not Optional with
/// that type's own error and quotes the null as its input. Fields the SDK types <c>| null</c> still take it.
/// </summary>
public sealed class NullRequiredFieldFacts : SandboxPerTest
{
    public static TheoryData<string, string, string, string> Creates => new()
    {
        { "api/v1/beta/directories", """{"name":null}""", "body,name", "string_type" }, // DirectoryCreateParams "name: string"
        { "api/v2/batches", """{"source_directory_id":null,"config":{"job":{"type":"parse_v2","configuration_id":"cfg-PARSE_AGENTIC"}}}""", "body,source_directory_id", "string_type" },
        { "api/v2/batches", """{"source_directory_id":"dir-x","config":null}""", "body,config", "dict_type" },
        { "api/v2/batches", """{"source_directory_id":"dir-x","config":{"job":null}}""", "body,config,job", "dict_type" },
        { "api/v2/batches", """{"source_directory_id":"dir-x","config":{"job":{"type":null,"configuration_id":"cfg-PARSE_AGENTIC"}}}""", "body,config,job,type", "literal_error" },
        { "api/v2/batches", """{"source_directory_id":"dir-x","config":{"job":{"type":"parse_v2","configuration_id":null}}}""", "body,config,job,configuration_id", "string_type" },
        { "api/v2/parse", """{"tier":null,"version":"latest","file_id":"dfl-x"}""", "body,tier", "string_type" },
        { "api/v2/extract", """{"file_input":null,"configuration_id":"cfg-x"}""", "body,file_input", "string_type" },
        { "api/v1/beta/configurations", """{"name":null,"parameters":{"product_type":"parse_v2","tier":"fast","version":"latest"}}""", "body,name", "string_type" },
        { "api/v1/beta/configurations", """{"name":"c","parameters":null}""", "body,parameters", "dict_type" },
        { "api/v1/beta/configurations", """{"name":"c","parameters":{"product_type":null}}""", "body,parameters,product_type", "literal_error" },
        { "api/v1/beta/configurations", """{"name":"c","parameters":{"product_type":"extract_v2","data_schema":null}}""", "body,parameters,data_schema", "dict_type" },
        { "api/v1/beta/webhook-configs", """{"webhook_url":null}""", "body,webhook_url", "string_type" },
        { "api/v1/beta/directories/dir-x/files", """{"file_id":null}""", "body,file_id", "string_type" },
        { "api/v1/beta/batch-processing", """{"item_ids":["dfl-x"],"job_config":null}""", "body,job_config", "dict_type" },
    };

    [Theory]
    [MemberData(nameof(Creates))]
    public async Task ARequiredFieldSentAsNull_IsRefusedWithItsTypesError_NotMissing(string path, string json, string loc, string type)
    {
        var (status, body) = await Sandbox.PostAsync(path, json);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var issue = Assert.Single(body!["detail"]!.AsArray(), i => Loc(i!) == loc);
        Assert.Equal(type, (string)issue!["type"]!);
        Assert.True(issue.AsObject().ContainsKey("input"));
        Assert.Null(issue["input"]); // the null that was sent
        Assert.DoesNotContain(body["detail"]!.AsArray(), i => (string)i!["type"]! == "missing");
    }

    [Fact]
    public async Task AClassifyJobsRequiredFieldSentAsNull_IsRefusedWithItsTypesError()
    {
        var json = """{"item_ids":["dfl-x"],"job_config":{"id":null,"project_id":null,"user_id":null,"status":null,"rules":[{"type":null,"description":null}]}}""";

        var (_, body) = await Sandbox.PostAsync("api/v1/beta/batch-processing", json);

        var types = body!["detail"]!.AsArray().ToDictionary(i => Loc(i!), i => (string)i!["type"]!);
        Assert.Equal("string_type", types["body,job_config,id"]);
        Assert.Equal("string_type", types["body,job_config,user_id"]);
        Assert.Equal("literal_error", types["body,job_config,status"]);
        Assert.Equal("string_type", types["body,job_config,rules,0,type"]);
        Assert.DoesNotContain("missing", types.Values);
    }

    [Fact]
    public async Task AnOptionalFieldTypedNullable_TakesNull()
    {
        // ExtractCreateParams "configuration_id?: string | null", "webhook_configurations?: Array<…> | null": the body is
        // taken, and only then is its file looked for.
        var json = """{"file_input":"dfl-x","configuration":{"data_schema":{"type":"object"}},"configuration_id":null,"webhook_configurations":null,"webhook_configuration_ids":null}""";

        var (status, _) = await Sandbox.PostAsync("api/v2/extract", json);

        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    private static string Loc(JsonNode issue) => string.Join(',', issue["loc"]!.AsArray().Select(l => l!.ToString()));
}

namespace BatchOrchestrator.Sandbox.Tests.Extract;

/// <summary>
/// What an extract job gives back, whatever <c>data_schema</c> it was sent: the SDK types the schema as any object (its own
/// example is the shorthand of properties alone) and <c>extract_result</c> as an object, or an array for per_page and
/// per_table_row (TS SDK 2.16.0 <c>resources/extract.d.ts</c>). An odd schema must not stop the back end from moving jobs.
/// </summary>
public sealed class ExtractSchemaFacts : SandboxPerTest
{
    private int directories; // each job's document in a directory of its own: names are unique in a project

    [Fact]
    public async Task TheSdksShorthandOfPropertiesAlone_GivesAnObjectOfThoseProperties()
    {
        var job = await ExtractAsync("""{ "name": { "type": "string" }, "age": { "type": "number" } }""", "Name: Ada\nAge: 36");

        var result = job["extract_result"]!.AsObject();
        Assert.Equal("Ada", (string)result["name"]!);
        Assert.Equal(JsonValueKind.Number, result["age"]!.GetValueKind());
    }

    [Theory]
    [InlineData("""{ "type": { "type": "string" }, "total": { "type": "number" } }""")] // a property named type
    [InlineData("""{ "$ref": 1 }""")]
    [InlineData("""{ "anyOf": [1, { "type": "object", "properties": { "x": { "type": "integer" } } }] }""")]
    [InlineData("""{ "type": ["string", 1] }""")]
    [InlineData("""{ "type": "string" }""")]
    [InlineData("""{}""")]
    public async Task AnOddSchema_CompletesWithAnObject_AndTheJobsAfterItGoOn(string schema)
    {
        var odd = await ExtractAsync(schema, "Total: 12");
        var after = await ExtractAsync("""{ "type": "object", "properties": { "total": { "type": "string" } } }""", "Total: 12");

        Assert.Equal(JsonValueKind.Object, odd["extract_result"]!.GetValueKind());
        Assert.Equal("12", (string)after["extract_result"]!["total"]!);
    }

    [Theory]
    [InlineData("per_doc", JsonValueKind.Object)]
    [InlineData("per_page", JsonValueKind.Array)]
    public async Task AnEmptyResult_IsShapedByItsTarget(string target, JsonValueKind shape)
    {
        await Sandbox.Admin.SetFaultsAsync(new { empty_results_matching = "^empty" });

        var job = await ExtractAsync("""{ "type": "object", "properties": { "x": { "type": "string" } } }""", "x: 1", target, "empty.txt");

        Assert.Equal(shape, job["extract_result"]!.GetValueKind());
        Assert.Empty(shape == JsonValueKind.Array ? job["extract_result"]!.AsArray() : job["extract_result"]!.AsObject());
    }

    [Theory]
    [InlineData("""{ "tier": "agentic", "parse_tier": "fast" }""", "fast")]
    [InlineData("""{ "tier": "cost_effective" }""", "cost_effective")]
    [InlineData("""{ "tier": "turbo" }""", null)]
    public async Task TheMetadatasParseTier_IsTheTierItParsedAt(string tiers, string? parsedAt)
    {
        var job = await ExtractAsync("""{ "type": "object" }""", "text", extra: tiers);

        Assert.Equal(parsedAt, (string?)job["extract_metadata"]!["parse_tier"]);
    }

    [Theory]
    [InlineData("agentic", HttpStatusCode.UnprocessableEntity)]
    [InlineData("agentic_plus", HttpStatusCode.OK)]
    public async Task SpreadsheetMode_RequiresTheAgenticPlusTier(string tier, HttpStatusCode expected)
    {
        var (_, file) = await Sandbox.DirectoryWithTextFileAsync("e", "a.txt", "text");

        var (status, body) = await Sandbox.PostAsync("api/v2/extract", $$$"""{"file_input":"{{{file}}}","configuration":{"data_schema":{"type":"object"},"tier":"{{{tier}}}","spreadsheet_mode":true}}""");

        Assert.True(status == expected, $"{status}: {body}");
    }

    [Theory]
    [InlineData(""" "tier": "turbo", "parse_tier": "fast" """, HttpStatusCode.UnprocessableEntity)]
    [InlineData(""" "tier": "turbo", "parse_config_id": "cfg-PARSE_AGENTIC" """, HttpStatusCode.UnprocessableEntity)]
    [InlineData(""" "tier": "turbo", "parse_tier": null """, HttpStatusCode.OK)]
    [InlineData(""" "tier": "agentic", "parse_tier": "fast" """, HttpStatusCode.OK)]
    public async Task TurboExtract_TakesNoParseConfiguration(string fields, HttpStatusCode expected)
    {
        var (_, file) = await Sandbox.DirectoryWithTextFileAsync("t", "a.txt", "text");

        var (status, body) = await Sandbox.PostAsync("api/v2/extract", $$$"""{"file_input":"{{{file}}}","configuration":{"data_schema":{"type":"object"},{{{fields}}}}}""");

        Assert.True(status == expected, $"{status}: {body}");
    }

    [Fact]
    public async Task AParseConfigId_MustNameAParseConfigurationOfTheProject_InlineOrSaved()
    {
        var (_, file) = await Sandbox.DirectoryWithTextFileAsync("p", "a.txt", "text");
        var parse = (string)(await Sandbox.OkAsync(
            HttpMethod.Post, "api/v1/beta/configurations", new { name = "p", parameters = new { product_type = "parse_v2", tier = "fast", version = "latest" } }))["id"]!;
        Task<(HttpStatusCode Status, JsonNode? Body)> Inline(string id) =>
            Sandbox.PostAsync("api/v2/extract", $$$"""{"file_input":"{{{file}}}","configuration":{"data_schema":{"type":"object"},"parse_config_id":"{{{id}}}"}}""");

        var (unknown, unknownBody) = await Inline("cfg-none");
        var (saved, savedBody) = await Inline(parse);
        var (preset, presetBody) = await Inline("cfg-PARSE_AGENTIC");
        var (stored, storedBody) = await Sandbox.PostAsync(
            "api/v1/beta/configurations", """{"name":"x","parameters":{"product_type":"extract_v2","data_schema":{"type":"object"},"parse_config_id":"cfg-none"}}""");

        Assert.True(unknown == HttpStatusCode.UnprocessableEntity, $"{unknown}: {unknownBody}");
        Assert.Equal("body,configuration,parse_config_id", string.Join(',', unknownBody!["detail"]![0]!["loc"]!.AsArray().Select(p => p!.ToString())));
        Assert.True(saved == HttpStatusCode.OK, $"{saved}: {savedBody}");
        Assert.True(preset == HttpStatusCode.OK, $"{preset}: {presetBody}");
        Assert.True(stored == HttpStatusCode.UnprocessableEntity, $"{stored}: {storedBody}");
        Assert.Equal("Parse configuration 'cfg-none' not found", (string)storedBody!["detail"]![0]!["msg"]!);
    }

    private async Task<JsonNode> ExtractAsync(string schema, string text, string target = "per_doc", string fileName = "a.txt", string extra = "{}")
    {
        var (_, file) = await Sandbox.DirectoryWithTextFileAsync($"e{++directories}", fileName, text);
        var configuration = JsonNode.Parse(extra)!.AsObject();
        configuration["data_schema"] = JsonNode.Parse(schema);
        configuration["extraction_target"] = target;
        var created = await Sandbox.OkAsync(HttpMethod.Post, "api/v2/extract", new JsonObject { ["file_input"] = file, ["configuration"] = configuration }.ToJsonString());
        return await Sandbox.WaitForAsync(
            $"api/v2/extract/{(string)created["id"]!}?expand=extract_metadata", j => (string)j["status"]! is "COMPLETED" or "FAILED", TimeSpan.FromSeconds(30));
    }
}

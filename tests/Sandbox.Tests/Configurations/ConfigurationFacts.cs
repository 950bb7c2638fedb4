namespace BatchOrchestrator.Sandbox.Tests.Configurations;

public sealed class ConfigurationFacts : SandboxPerTest
{
    private static readonly object ParseParameters = new { product_type = "parse_v2", tier = "cost_effective", version = "latest" };

    [Fact]
    public async Task Post_UpsertsByNameAndProductType()
    {
        var created = await Sandbox.OkAsync(HttpMethod.Post, "api/v1/beta/configurations", new { name = "mine", parameters = ParseParameters });
        var updated = await Sandbox.OkAsync(HttpMethod.Post, "api/v1/beta/configurations", new { name = "mine", parameters = new { product_type = "parse_v2", tier = "agentic", version = "latest" } });
        var otherType = await Sandbox.OkAsync(HttpMethod.Post, "api/v1/beta/configurations", new { name = "mine", parameters = new { product_type = "extract_v2", data_schema = new { type = "object" } } });

        Assert.StartsWith("cfg-", (string)created["id"]!, StringComparison.Ordinal);
        Assert.Equal((string)created["id"]!, (string)updated["id"]!);
        Assert.Equal("agentic", (string)updated["parameters"]!["tier"]!);
        Assert.Equal("parse_v2", (string)updated["product_type"]!);
        Assert.False(string.IsNullOrEmpty((string?)updated["version"]));
        Assert.NotEqual((string)created["id"]!, (string)otherType["id"]!);
        Assert.Equal(3, await Sandbox.Admin.CounterAsync("configuration_upserts_total"));
    }

    [Theory]
    [InlineData("""{"parameters":{"product_type":"parse_v2","tier":"fast","version":"latest"}}""", "name")]
    [InlineData("""{"name":"x"}""", "parameters")]
    [InlineData("""{"name":"x","parameters":{"product_type":"nope"}}""", "product_type")]
    [InlineData("""{"name":"x","parameters":{"product_type":"parse_v2","version":"latest"}}""", "tier")]
    [InlineData("""{"name":"x","parameters":{"product_type":"parse_v2","tier":"fast"}}""", "version")]
    [InlineData("""{"name":"x","parameters":{"product_type":"parse_v2","tier":"fast","version":"2026-09-07"}}""", "version")] // "one of that tier's dated versions"
    [InlineData("""{"name":"x","parameters":{"product_type":"parse_v2","tier":"fast","version":"latest","webhook_configurations":null}}""", "webhook_configurations")]
    [InlineData("""{"name":"x","parameters":{"product_type":"parse_v2","tier":"fast","version":"latest","webhook_configurations":[{"webhook_output_format":"xml"}]}}""", "webhook_output_format")]
    [InlineData("""{"name":"x","parameters":{"product_type":"parse_v2","tier":"fast","version":"latest","webhook_configuration_ids":"whc-1"}}""", "webhook_configuration_ids")]
    [InlineData("""{"name":"x","parameters":{"product_type":"extract_v2"}}""", "data_schema")]
    [InlineData("""{"name":"x","parameters":{"product_type":"extract_v2","data_schema":{},"parse_tier":"bogus"}}""", "parse_tier")]
    [InlineData("""{"name":"x","parameters":{"product_type":"extract_v2","data_schema":{},"tier":null}}""", "tier")] // "tier?: …": never null
    [InlineData("""{"name":"x","parameters":{"product_type":"extract_v2","data_schema":{},"extraction_target":null}}""", "extraction_target")]
    [InlineData("""{"name":"x","parameters":{"product_type":"extract_v2","data_schema":{},"cite_sources":"yes"}}""", "cite_sources")]
    [InlineData("""{"name":"x","parameters":{"product_type":"extract_v2","data_schema":{},"version":"v2"}}""", "version")] // "'latest' … or a date string (YYYY-MM-DD format)"
    [InlineData("""{"name":"x","parameters":{"product_type":"extract_v2","data_schema":{},"version":"2026-02-30"}}""", "version")]
    [InlineData("""{"name":"x","parameters":{"product_type":"extract_v2","data_schema":{},"target_pages":"0-3"}}""", "target_pages")] // "(1-based)"
    [InlineData("""{"name":"x","parameters":{"product_type":"classify_v2","rules":[{"type":"a","description":"b"}],"parsing_configuration":{"target_pages":"first"}}}""", "target_pages")]
    [InlineData("""{"name":"x","parameters":{"product_type":"classify_v2"}}""", "rules")]
    [InlineData("""{"name":"x","parameters":{"product_type":"classify_v2","rules":[]}}""", "rules")] // "at least one required"
    [InlineData("""{"name":"x","parameters":{"product_type":"classify_v2","rules":[{"description":"bills"}]}}""", "type")]
    [InlineData("""{"name":"x","parameters":{"product_type":"classify_v2","rules":[{"type":"a","description":"b"}],"mode":"MULTIMODAL"}}""", "mode")]
    [InlineData("""{"name":"x","parameters":{"product_type":"split_v1"}}""", "categories")]
    [InlineData("""{"name":"x","parameters":{"product_type":"split_v1","categories":[{"description":"d"}]}}""", "name")]
    [InlineData("""{"name":"x","parameters":{"product_type":"split_v1","categories":[],"splitting_strategy":{"allow_uncategorized":"maybe"}}}""", "allow_uncategorized")]
    [InlineData("""{"name":"x","parameters":{"product_type":"spreadsheet_v1","tier":"fast"}}""", "tier")]
    public async Task Post_Is422_ForInvalidParameters(string json, string field)
    {
        var (status, body) = await Sandbox.PostAsync("api/v1/beta/configurations", json);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal(field, (string)body!["detail"]![0]!["loc"]!.AsArray()[^1]!);
    }

    [Theory]
    [InlineData("""{"product_type":"extract_v2","data_schema":{},"parse_tier":null,"tier":"turbo","cite_sources":true,"max_pages":null,"sheet_names":["a"]}""")]
    [InlineData("""{"product_type":"extract_v2","data_schema":{},"version":"2026-01-15","target_pages":"1-3,2,7"}""")] // duplicates: only parse's comment speaks of them
    [InlineData("""{"product_type":"extract_v2","data_schema":{},"version":"latest","target_pages":null}""")]
    [InlineData("""{"product_type":"classify_v2","rules":[{"type":"invoice","description":"bills"}],"mode":"FAST","parsing_configuration":{"lang":"en","target_pages":"1-3"}}""")]
    [InlineData("""{"product_type":"split_v1","categories":[{"name":"a","description":null}],"splitting_strategy":{"allow_uncategorized":"omit","min_pages_per_split":1}}""")]
    [InlineData("""{"product_type":"spreadsheet_v1","tier":"agentic","table_merge_sensitivity":"weak","include_hidden_cells":false,"sheet_names":null}""")]
    [InlineData("""{"product_type":"unknown","anything":{"goes":1}}""")]
    public async Task Post_Accepts_EachProductsParameters_AsTheSdkTypesThem(string parameters)
    {
        var (status, body) = await Sandbox.PostAsync("api/v1/beta/configurations", $$"""{"name":"ok","parameters":{{parameters}}}""");

        Assert.True(status == HttpStatusCode.OK, body?.ToJsonString());
    }

    [Fact]
    public async Task GetPutListDelete_Work_AndPresetsAreNotResources()
    {
        var a = (string)(await Sandbox.OkAsync(HttpMethod.Post, "api/v1/beta/configurations", new { name = "a", parameters = ParseParameters }))["id"]!;
        var b = (string)(await Sandbox.OkAsync(HttpMethod.Post, "api/v1/beta/configurations", new { name = "b", parameters = new { product_type = "extract_v2", data_schema = new { } } }))["id"]!;

        var got = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/configurations/{a}");
        var renamed = await Sandbox.OkAsync(HttpMethod.Put, $"api/v1/beta/configurations/{a}", new { name = "a2" });
        var parseOnly = await Sandbox.OkAsync(HttpMethod.Get, "api/v1/beta/configurations?product_type=parse_v2");
        var both = await Sandbox.OkAsync(HttpMethod.Get, "api/v1/beta/configurations?product_type=parse_v2&product_type=extract_v2&latest_only=true");
        var byName = await Sandbox.OkAsync(HttpMethod.Get, "api/v1/beta/configurations?name=b");
        var (preset, _) = await Sandbox.GetAsync("api/v1/beta/configurations/cfg-PARSE_AGENTIC");
        var (deleted, _) = await Sandbox.SendAsync(HttpMethod.Delete, $"api/v1/beta/configurations/{b}");
        var (gone, _) = await Sandbox.GetAsync($"api/v1/beta/configurations/{b}");
        var (badType, _) = await Sandbox.GetAsync("api/v1/beta/configurations?product_type=bogus");

        Assert.Equal("a", (string)got["name"]!);
        Assert.Equal("a2", (string)renamed["name"]!);
        Assert.Equal("cost_effective", (string)renamed["parameters"]!["tier"]!);
        Assert.Equal(a, (string)parseOnly["items"]!.AsArray().Single()!["id"]!);
        Assert.Equal(2, both["items"]!.AsArray().Count);
        Assert.Equal(b, (string)byName["items"]!.AsArray().Single()!["id"]!);
        Assert.Equal(
            new[] { HttpStatusCode.NotFound, HttpStatusCode.NoContent, HttpStatusCode.NotFound, HttpStatusCode.UnprocessableEntity },
            new[] { preset, deleted, gone, badType });
    }

    [Fact]
    public async Task Put_Is409_WhenRenamingOntoAnotherConfiguration_And404ForUnknown()
    {
        var a = (string)(await Sandbox.OkAsync(HttpMethod.Post, "api/v1/beta/configurations", new { name = "a", parameters = ParseParameters }))["id"]!;
        await Sandbox.OkAsync(HttpMethod.Post, "api/v1/beta/configurations", new { name = "b", parameters = ParseParameters });

        var (clash, _) = await Sandbox.SendAsync(HttpMethod.Put, $"api/v1/beta/configurations/{a}", new { name = "b" });
        var (unknown, _) = await Sandbox.SendAsync(HttpMethod.Put, "api/v1/beta/configurations/cfg-x", new { name = "c" });

        Assert.Equal(HttpStatusCode.Conflict, clash);
        Assert.Equal(HttpStatusCode.NotFound, unknown);
    }

    [Fact]
    public async Task SavedParseConfiguration_DrivesABatchAtItsTier()
    {
        var config = (string)(await Sandbox.OkAsync(HttpMethod.Post, "api/v1/beta/configurations", new { name = "p", parameters = ParseParameters }))["id"]!;
        var (dir, _) = await Sandbox.DirectoryWithTextFileAsync("c", "a.txt", "x");

        var done = await Sandbox.WaitForBatchAsync(await Sandbox.CreateBatchAsync(dir, configurationId: config), "COMPLETED");
        var job = await Sandbox.OkAsync(HttpMethod.Get, $"api/v2/parse/{(string)done["results"]![0]!["job_reference"]!["id"]!}");

        Assert.Equal("cost_effective", (string)job["job"]!["tier"]!);
        Assert.Equal(config, (string)done["config"]!["job"]!["configuration_id"]!);
    }
}

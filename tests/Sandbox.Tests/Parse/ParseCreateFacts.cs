namespace BatchOrchestrator.Sandbox.Tests.Parse;

public sealed class ParseCreateFacts : SandboxPerTest
{
    [Fact]
    public async Task Create_FromAFileId_RunsToCompletedWithTheFileText()
    {
        var (dir, entry) = await Sandbox.DirectoryWithTextFileAsync("p", "a.txt", "parse me");

        var job = await Sandbox.OkAsync(HttpMethod.Post, "api/v2/parse", new { tier = "agentic_plus", version = "2026-08-19", file_id = entry, user_metadata = new { run = "7" } });
        var done = await Sandbox.WaitForAsync($"api/v2/parse/{(string)job["id"]!}?expand=text_full", j => (string)j["job"]!["status"]! == "COMPLETED");

        Assert.StartsWith("pjb-", (string)job["id"]!, StringComparison.Ordinal);
        Assert.Equal("PENDING", (string)job["status"]!);
        Assert.Equal("7", (string)job["user_metadata"]!["run"]!);
        Assert.Equal("agentic_plus", (string)done["job"]!["tier"]!);
        Assert.Equal("parse me", (string)done["text_full"]!);
    }

    [Fact]
    public async Task Create_WithASavedConfiguration_TakesItsTier()
    {
        var config = (string)(await Sandbox.OkAsync(HttpMethod.Post, "api/v1/beta/configurations", new { name = "c", parameters = new { product_type = "parse_v2", tier = "fast", version = "latest" } }))["id"]!;
        var (dir, entry) = await Sandbox.DirectoryWithTextFileAsync("p", "a.txt", "x");

        var job = await Sandbox.OkAsync(HttpMethod.Post, "api/v2/parse", new { configuration_id = config, tier = "configured", version = "configured", file_id = entry });
        var (otherTiers, body) = await Sandbox.PostAsync("api/v2/parse", new { configuration_id = config, version = "2026-09-07", file_id = entry });
        // "Omit them or pass 'configured'": typed as strings, never null.
        var (nullTier, nullTierBody) = await Sandbox.PostAsync("api/v2/parse", new { configuration_id = config, tier = (string?)null, file_id = entry });
        var (nullVersion, nullVersionBody) = await Sandbox.PostAsync("api/v2/parse", new { configuration_id = config, version = (string?)null, file_id = entry });

        Assert.Equal(
            (HttpStatusCode.UnprocessableEntity, "tier", HttpStatusCode.UnprocessableEntity, "version"),
            (nullTier, (string)nullTierBody!["detail"]![0]!["loc"]![1]!, nullVersion, (string)nullVersionBody!["detail"]![0]!["loc"]![1]!));
        Assert.Equal("fast", (string)job["tier"]!);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, otherTiers); // a dated version of the saved configuration's tier only
        Assert.Equal("version", (string)body!["detail"]![0]!["loc"]![1]!);
    }

    [Fact]
    public async Task Create_WithASavedConfigurationsDatedVersion_TakesATierSentBeside_OnlyIfTheVersionIsThatTiers()
    {
        var config = (string)(await Sandbox.OkAsync(HttpMethod.Post, "api/v1/beta/configurations", new { name = "c", parameters = new { product_type = "parse_v2", tier = "agentic", version = "2026-09-07" } }))["id"]!;
        var (dir, entry) = await Sandbox.DirectoryWithTextFileAsync("p", "a.txt", "x");

        // The saved version is agentic's: with another tier it names no version of that tier, sent as 'configured' or left out.
        var (leftOut, leftOutBody) = await Sandbox.PostAsync("api/v2/parse", new { configuration_id = config, tier = "fast", file_id = entry });
        var (configured, _) = await Sandbox.PostAsync("api/v2/parse", new { configuration_id = config, tier = "fast", version = "configured", file_id = entry });
        var latest = await Sandbox.OkAsync(HttpMethod.Post, "api/v2/parse", new { configuration_id = config, tier = "fast", version = "latest", file_id = entry });
        var sameTier = await Sandbox.OkAsync(HttpMethod.Post, "api/v2/parse", new { configuration_id = config, tier = "agentic", file_id = entry });

        Assert.Equal((HttpStatusCode.UnprocessableEntity, HttpStatusCode.UnprocessableEntity), (leftOut, configured));
        Assert.Equal("version", (string)leftOutBody!["detail"]![0]!["loc"]![1]!);
        Assert.Equal(("fast", "agentic"), ((string)latest["tier"]!, (string)sameTier["tier"]!));
    }

    [Theory]
    [InlineData("""{"version":"latest","file_id":"dfl-x"}""", "tier")]
    [InlineData("""{"tier":"fast","file_id":"dfl-x"}""", "version")]
    [InlineData("""{"tier":"turbo","version":"latest","file_id":"dfl-x"}""", "tier")]
    [InlineData("""{"tier":"configured","version":"latest","file_id":"dfl-x"}""", "tier")] // 'configured' only with a configuration_id
    [InlineData("""{"tier":"fast","version":"2026-09-07","file_id":"dfl-x"}""", "version")] // "pin one of that tier's dated versions": agentic's, not fast's
    [InlineData("""{"tier":"agentic","version":"2026-01-01","file_id":"dfl-x"}""", "version")] // a date no agentic version has
    [InlineData("""{"tier":"fast","version":"configured","file_id":"dfl-x"}""", "version")] // 'configured' only with a configuration_id
    [InlineData("""{"tier":"fast","version":"latest"}""", "file_id")]
    [InlineData("""{"configuration_id":"cfg-none","file_id":"dfl-x"}""", "configuration_id")]
    [InlineData("""{"tier":"fast","version":"latest","file_id":"dfl-x","user_metadata":{"n":1}}""", "user_metadata")] // "{ [key: string]: string }"
    [InlineData("""{"tier":"fast","version":"latest","file_id":"dfl-x","webhook_configurations":null}""", "webhook_configurations")]
    [InlineData("""{"tier":"fast","version":"latest","file_id":"dfl-x","http_proxy":8080}""", "http_proxy")] // "http_proxy?: string | null"
    public async Task Create_Is422_ForInvalidBodies(string json, string field)
    {
        var (status, body) = await Sandbox.PostAsync("api/v2/parse", json);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains(body!["detail"]!.AsArray(), i => (string)i!["loc"]![1]! == field);
    }

    [Fact]
    public async Task Create_Is404ForAnUnknownFile_And400ForSourceUrl()
    {
        var (unknown, _) = await Sandbox.PostAsync("api/v2/parse", new { tier = "fast", version = "latest", file_id = "dfl-none" });
        var (url, body) = await Sandbox.PostAsync("api/v2/parse", new { tier = "fast", version = "latest", source_url = "https://example.com/a.pdf" });

        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.Equal(HttpStatusCode.BadRequest, url);
        Assert.Contains("source_url", (string)body!["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_TakesAFileAndAConfigurationString()
    {
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes("uploaded")), "file", "u.md" },
            { new StringContent("""{"tier":"cost_effective","version":"latest"}"""), "configuration" },
        };

        using var response = await Sandbox.Client.PostAsync("api/v2/parse/upload", form, Ct);
        var job = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        var done = await Sandbox.WaitForAsync($"api/v2/parse/{(string)job["id"]!}?expand=markdown_full", j => (string)j["job"]!["status"]! == "COMPLETED");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("cost_effective", (string)job["tier"]!);
        Assert.Equal("uploaded", (string)done["markdown_full"]!);
    }
}

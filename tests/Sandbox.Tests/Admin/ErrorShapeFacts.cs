namespace BatchOrchestrator.Sandbox.Tests.Admin;

public sealed class ErrorShapeFacts : SandboxPerTest
{
    [Fact]
    public async Task ABodyThatIsNotAnObject_Is422AtTheBodyItself()
    {
        var (status, body) = await Sandbox.PostAsync("api/v2/batches", "[1,2]");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("model_attributes_type", (string)body!["detail"]![0]!["type"]!);
        Assert.Equal("body", (string)body["detail"]![0]!["loc"]!.AsArray().Single()!);
    }

    [Fact]
    public async Task EachIssue_QuotesWhatWasSentAtItsLoc_AsPydanticDoes()
    {
        var (_, notAnObject) = await Sandbox.PostAsync("api/v2/batches", "[1,2]");
        var (_, v1) = await Sandbox.PostAsync("api/v1/beta/batch-processing", """{"directory_id":"dir-x","job_config":{"job_name":"PARSE_RAW_FILE"},"page_size":null}""");
        var (_, query) = await Sandbox.GetAsync("api/v1/beta/batch-processing?status=bogus");
        var (_, missing) = await Sandbox.PostAsync("api/v1/beta/directories", """{"description":"no name"}""");

        var issues = v1!["detail"]!.AsArray();
        Assert.Equal(["type", "loc", "msg", "input"], issues[0]!.AsObject().Select(p => p.Key));
        Assert.Equal("[1,2]", notAnObject!["detail"]![0]!["input"]!.ToJsonString());
        Assert.Equal("PARSE_RAW_FILE", (string)issues.Single(i => Loc(i) == "body.job_config.job_name")!["input"]!);
        Assert.Null(issues.Single(i => Loc(i) == "body.page_size")!["input"]);
        Assert.Equal("bogus", (string)query!["detail"]![0]!["input"]!);
        Assert.Equal("""{"description":"no name"}""", missing!["detail"]![0]!["input"]!.ToJsonString()); // a missing field's input is the object lacking it
    }

    [Fact]
    public async Task AnEmptyBody_Is422Missing()
    {
        using var content = new StringContent(string.Empty, Encoding.UTF8, "application/json");

        using var response = await Sandbox.Client.PostAsync("api/v1/beta/directories", content, Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("\"missing\"", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOversizedJsonBody_Is413()
    {
        var huge = "{\"name\":\"" + new string('x', 17 * 1024 * 1024) + "\"}";

        var (status, body) = await Sandbox.PostAsync("api/v1/beta/directories", huge);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.NotNull(body!["detail"]);
    }

    [Fact]
    public async Task AFileAskedForThroughTheWrongDirectory_Is404()
    {
        var a = await Sandbox.CreateDirectoryAsync("a");
        var b = await Sandbox.CreateDirectoryAsync("b");
        var file = await Sandbox.UploadTextAsync(a, "x.txt", "x");

        var (status, _) = await Sandbox.GetAsync($"api/v1/beta/directories/{b}/files/{file}");

        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task UnknownApiRoutes_Are404_AndCountedAsUnmatched()
    {
        var (status, _) = await Sandbox.GetAsync("api/v9/nothing");
        var counters = await Sandbox.Admin.CountersJsonAsync();

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(1, (int)counters["requests_by_route"]!["GET (unmatched)"]!);
    }

    private static string Loc(JsonNode? issue) => string.Join('.', issue!["loc"]!.AsArray().Select(p => p!.ToString()));
}

namespace BatchOrchestrator.Sandbox.Tests.Directories;

public sealed class DirectoryFacts : SandboxPerTest
{
    [Fact]
    public async Task Create_ReturnsDirectory_WithEphemeralExpiryDefaulted()
    {
        var body = await Sandbox.OkAsync(HttpMethod.Post, "api/v1/beta/directories", new { name = "nightly-1", type = "ephemeral", description = "d" });

        Assert.StartsWith("dir-", (string)body["id"]!, StringComparison.Ordinal);
        Assert.Equal("nightly-1", (string)body["name"]!);
        Assert.Equal("ephemeral", (string)body["type"]!);
        Assert.Equal("d", (string)body["description"]!);
        Assert.Equal(Sandbox.Options.DefaultProjectId, (string)body["project_id"]!);
        var created = DateTimeOffset.Parse((string)body["created_at"]!, System.Globalization.CultureInfo.InvariantCulture);
        var expires = DateTimeOffset.Parse((string)body["expires_at"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromDays(2), expires - created);
        Assert.EndsWith("Z", (string)body["created_at"]!, StringComparison.Ordinal);
        Assert.Null(body["deleted_at"]);
    }

    [Fact]
    public async Task Create_TakesNoExpiresAt_ItsParamsDoNotName_AndDefaultsTypeToUser()
    {
        // DirectoryCreateParams has no expires_at: an unknown field, ignored as pydantic ignores one (refused under the guess).
        var body = await Sandbox.OkAsync(HttpMethod.Post, "api/v1/beta/directories", new { name = "a", expires_at = "2030-01-02T03:04:05+00:00" });

        Assert.Equal("user", (string)body["type"]!);
        Assert.Null(body["expires_at"]);
    }

    [Fact]
    public async Task Create_Is409_WhenTheNameIsTaken()
    {
        await Sandbox.CreateDirectoryAsync("dup");

        var (status, body) = await Sandbox.PostAsync("api/v1/beta/directories", new { name = "dup" });

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("dup", (string)body!["detail"]!, StringComparison.Ordinal);
        Assert.Equal(1, await Sandbox.Admin.CounterAsync("directory_creates_by_name", "dup"));
    }

    [Theory]
    [InlineData("""{}""", "name", "missing")]
    [InlineData("""{"name":""}""", "name", "string_too_short")]
    [InlineData("""{"name":"x","type":"index"}""", "type", "literal_error")]
    [InlineData("""{"name":"x","type":null}""", "type", "literal_error")] // "type?: 'ephemeral' | 'user'": never null
    [InlineData("""{"name":5}""", "name", "string_type")]
    public async Task Create_Is422WithFastApiDetailList_WhenBodyInvalid(string json, string field, string type)
    {
        var (status, body) = await Sandbox.PostAsync("api/v1/beta/directories", json);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var issue = body!["detail"]!.AsArray().Single()!;
        Assert.Equal(type, (string)issue["type"]!);
        Assert.Equal(new[] { "body", field }, issue["loc"]!.AsArray().Select(n => (string)n!));
        Assert.False(string.IsNullOrEmpty((string)issue["msg"]!));
    }

    [Fact]
    public async Task Create_Is422_WhenBodyIsNotJson()
    {
        var (status, body) = await Sandbox.PostAsync("api/v1/beta/directories", "{not json");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("json_invalid", (string)body!["detail"]![0]!["type"]!);
    }

    [Fact]
    public async Task Get_ReturnsDirectory_And404ForUnknownId()
    {
        var id = await Sandbox.CreateDirectoryAsync("g");

        var found = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/directories/{id}");
        var (status, body) = await Sandbox.GetAsync("api/v1/beta/directories/dir-nope");

        Assert.Equal(id, (string)found["id"]!);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("dir-nope", (string)body!["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_FiltersByNameAndType_AndPagesWithTokens()
    {
        for (var i = 0; i < 5; i++)
        {
            await Sandbox.CreateDirectoryAsync($"d{i}", i % 2 == 0 ? "ephemeral" : "user");
        }

        var byName = await Sandbox.OkAsync(HttpMethod.Get, "api/v1/beta/directories?name=d3");
        var ephemeral = await Sandbox.OkAsync(HttpMethod.Get, "api/v1/beta/directories?type=ephemeral");
        var bothTypes = await Sandbox.OkAsync(HttpMethod.Get, "api/v1/beta/directories?types=user&types=ephemeral");
        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Sandbox.OkAsync(HttpMethod.Get, "api/v1/beta/directories?page_size=2" + (token is null ? string.Empty : "&page_token=" + token));
            names.AddRange(page["items"]!.AsArray().Select(d => (string)d!["name"]!));
            token = (string?)page["next_page_token"];
            pages++;
        }
        while (token is not null);

        Assert.Equal("d3", (string)byName["items"]![0]!["name"]!);
        Assert.Single(byName["items"]!.AsArray());
        Assert.Equal(3, ephemeral["items"]!.AsArray().Count);
        Assert.Equal(5, (int)bothTypes["total_size"]!);
        Assert.Equal(new[] { "d0", "d1", "d2", "d3", "d4" }, names);
        Assert.Equal(3, pages);
    }

    [Theory]
    [InlineData("page_size=0")]
    [InlineData("page_size=abc")]
    [InlineData("page_token=garbage")]
    [InlineData("type=weird")]
    public async Task List_Is422_ForBadQueryParameters(string query)
    {
        var (status, body) = await Sandbox.GetAsync("api/v1/beta/directories?" + query);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("query", (string)body!["detail"]![0]!["loc"]![0]!);
    }

    [Fact]
    public async Task Patch_RenamesAndDescribes_AndRefusesATakenName()
    {
        var id = await Sandbox.CreateDirectoryAsync("before");
        await Sandbox.CreateDirectoryAsync("taken");

        var renamed = await Sandbox.OkAsync(HttpMethod.Patch, $"api/v1/beta/directories/{id}", new { name = "after", description = "x" });
        var (clash, _) = await Sandbox.SendAsync(HttpMethod.Patch, $"api/v1/beta/directories/{id}", new { name = "taken" });
        var (missing, _) = await Sandbox.SendAsync(HttpMethod.Patch, "api/v1/beta/directories/dir-x", new { name = "y" });

        Assert.Equal("after", (string)renamed["name"]!);
        Assert.Equal("x", (string)renamed["description"]!);
        Assert.Equal(HttpStatusCode.Conflict, clash);
        Assert.Equal(HttpStatusCode.NotFound, missing);
    }

    [Fact]
    public async Task Delete_Is204_FreesTheName_And404Afterwards()
    {
        var id = await Sandbox.CreateDirectoryAsync("gone");

        var (deleted, body) = await Sandbox.SendAsync(HttpMethod.Delete, $"api/v1/beta/directories/{id}");
        var (again, _) = await Sandbox.SendAsync(HttpMethod.Delete, $"api/v1/beta/directories/{id}");
        var (get, _) = await Sandbox.GetAsync($"api/v1/beta/directories/{id}");
        var recreated = await Sandbox.CreateDirectoryAsync("gone");

        Assert.Equal(HttpStatusCode.NoContent, deleted);
        Assert.Null(body);
        Assert.Equal(HttpStatusCode.NotFound, again);
        Assert.Equal(HttpStatusCode.NotFound, get);
        Assert.NotEqual(id, recreated);
    }

    [Fact]
    public async Task Create_InTheProjectTheQueryNames_IgnoringUnknownQueryParameters()
    {
        var body = await Sandbox.OkAsync(
            HttpMethod.Post,
            "api/v1/beta/directories?project_id=182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e&organization_id=182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26f&session=x",
            new JsonObject { ["name"] = "q" }.ToJsonString());

        Assert.Equal("q", (string)body["name"]!);
        Assert.Equal("182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e", (string)body["project_id"]!);
    }
}

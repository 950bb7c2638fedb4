namespace BatchOrchestrator.Sandbox.Tests.Files;

public sealed class FileApiFacts : SandboxPerTest
{
    private async Task<(HttpStatusCode Status, JsonNode? Body)> CreateAsync(string name, string? purpose = "parse", string? externalId = null, bool withFile = true)
    {
        using var form = new MultipartFormDataContent();
        if (withFile)
        {
            form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes("content of " + name)), "file", name);
        }

        if (purpose is not null)
        {
            form.Add(new StringContent(purpose), "purpose");
        }

        if (externalId is not null)
        {
            form.Add(new StringContent(externalId), "external_file_id");
        }

        using var response = await Sandbox.Client.PostAsync("api/v1/beta/files", form, Ct);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct)));
    }

    [Fact]
    public async Task Upload_ReturnsTheFile_WithTypeAndPurpose()
    {
        var (status, file) = await CreateAsync("doc.pdf", "extract", "ext-7");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("dfl-", (string)file!["id"]!, StringComparison.Ordinal);
        Assert.Equal("doc.pdf", (string)file["name"]!);
        Assert.Equal("pdf", (string)file["file_type"]!);
        Assert.Equal("extract", (string)file["purpose"]!);
        Assert.Equal("ext-7", (string)file["external_file_id"]!);
        Assert.Equal(1, await Sandbox.Admin.CounterAsync("file_uploads_total"));
    }

    [Theory]
    [InlineData(true, null, "purpose")]
    [InlineData(true, "bogus", "purpose")]
    [InlineData(false, "parse", "file")]
    public async Task Upload_Is422_WithoutAFileOrAValidPurpose(bool withFile, string? purpose, string field)
    {
        var (status, body) = await CreateAsync("a.txt", purpose, withFile: withFile);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal(field, (string)body!["detail"]![0]!["loc"]![1]!);
    }

    [Fact]
    public async Task List_FiltersOrdersAndPages()
    {
        var ids = new List<string>();
        foreach (var name in new[] { "c.txt", "a.txt", "b.txt" })
        {
            ids.Add((string)(await CreateAsync(name, externalId: "x-" + name)).Body!["id"]!);
        }

        var newest = await Sandbox.OkAsync(HttpMethod.Get, "api/v1/beta/files");
        var byName = await Sandbox.OkAsync(HttpMethod.Get, "api/v1/beta/files?order_by=name");
        var page1 = await Sandbox.OkAsync(HttpMethod.Get, "api/v1/beta/files?order_by=name&page_size=2");
        var page2 = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/files?order_by=name&page_size=2&page_token={(string)page1["next_page_token"]!}");
        var filtered = await Sandbox.OkAsync(HttpMethod.Get, "api/v1/beta/files?file_name=a.txt");
        var byExternal = await Sandbox.OkAsync(HttpMethod.Get, "api/v1/beta/files?external_file_id=x-b.txt");
        var byIds = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/files?file_ids={ids[0]}&file_ids={ids[2]}");
        var (badOrder, _) = await Sandbox.GetAsync("api/v1/beta/files?order_by=size");

        Assert.Equal(new[] { "b.txt", "a.txt", "c.txt" }, newest["items"]!.AsArray().Select(f => (string)f!["name"]!));
        Assert.Equal(new[] { "a.txt", "b.txt", "c.txt" }, byName["items"]!.AsArray().Select(f => (string)f!["name"]!));
        Assert.Equal(new[] { "c.txt" }, page2["items"]!.AsArray().Select(f => (string)f!["name"]!));
        Assert.Equal("a.txt", (string)filtered["items"]![0]!["name"]!);
        Assert.Equal("b.txt", (string)byExternal["items"]!.AsArray().Single()!["name"]!);
        Assert.Equal(2, byIds["items"]!.AsArray().Count);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badOrder);
    }

    [Fact]
    public async Task GetContentAndDelete_Work_And404Afterwards()
    {
        var id = (string)(await CreateAsync("a.txt")).Body!["id"]!;

        var file = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/files/{id}?expand=download_url");
        var content = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/files/{id}/content?expires_at_seconds=60");
        using var anonymous = new HttpClient();
        var bytes = await anonymous.GetStringAsync((string)content["url"]!, Ct);
        var (deleted, _) = await Sandbox.SendAsync(HttpMethod.Delete, $"api/v1/beta/files/{id}");
        var (gone, _) = await Sandbox.GetAsync($"api/v1/beta/files/{id}");
        var (goneContent, _) = await Sandbox.GetAsync($"api/v1/beta/files/{id}/content");

        Assert.NotNull(file["download_url"]!["url"]);
        Assert.Equal("content of a.txt", bytes);
        Assert.NotNull(content["expires_at"]);
        Assert.Equal(
            new[] { HttpStatusCode.NoContent, HttpStatusCode.NotFound, HttpStatusCode.NotFound },
            new[] { deleted, gone, goneContent });
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("1h")]
    [InlineData("60,5")]
    public async Task GetContent_Is422_WhenExpiresAtSecondsIsNoNumber(string seconds)
    {
        var id = (string)(await CreateAsync("a.txt")).Body!["id"]!;

        var (status, body) = await Sandbox.GetAsync($"api/v1/beta/files/{id}/content?expires_at_seconds={seconds}");
        var fractional = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/files/{id}/content?expires_at_seconds=90.5"); // "number"

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("query,expires_at_seconds", string.Join(',', body!["detail"]![0]!["loc"]!.AsArray().Select(l => (string)l!)));
        Assert.NotNull(fractional["url"]);
    }

    [Fact]
    public async Task DirectoryFiles_SurviveADeleteOfTheirStoredFile()
    {
        var dir = await Sandbox.CreateDirectoryAsync("d");
        var entry = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/directories/{dir}/files/{await Sandbox.UploadTextAsync(dir, "a.txt", "x")}");
        await Sandbox.SendAsync(HttpMethod.Delete, $"api/v1/beta/files/{(string)entry["file_id"]!}");

        var done = await Sandbox.WaitForBatchAsync(await Sandbox.CreateBatchAsync(dir), "COMPLETED");

        Assert.NotNull(done["results"]![0]!["job_reference"]);
    }
}

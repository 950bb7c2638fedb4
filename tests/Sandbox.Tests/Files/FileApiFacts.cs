using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace BatchOrchestrator.Sandbox.Tests.Files;

public sealed class FileApiFacts
{
    private static async Task<(HttpStatusCode Status, JsonNode? Body)> CreateAsync(TestSandbox sandbox, string name, string? purpose = "parse", string? externalId = null, bool withFile = true)
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

        using var response = await sandbox.Client.PostAsync("api/v1/beta/files", form, TestSandbox.Ct);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(TestSandbox.Ct)));
    }

    [Fact]
    public async Task Upload_ReturnsTheFile_WithTypeAndPurpose()
    {
        await using var sandbox = await TestSandbox.StartAsync();

        var (status, file) = await CreateAsync(sandbox, "doc.pdf", "extract", "ext-7");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("dfl-", (string)file!["id"]!, StringComparison.Ordinal);
        Assert.Equal("doc.pdf", (string)file["name"]!);
        Assert.Equal("pdf", (string)file["file_type"]!);
        Assert.Equal("extract", (string)file["purpose"]!);
        Assert.Equal("ext-7", (string)file["external_file_id"]!);
        Assert.Equal(1, await sandbox.Admin.CounterAsync("file_uploads_total"));
    }

    [Theory]
    [InlineData(true, null, "purpose")]
    [InlineData(true, "bogus", "purpose")]
    [InlineData(false, "parse", "file")]
    public async Task Upload_Is422_WithoutAFileOrAValidPurpose(bool withFile, string? purpose, string field)
    {
        await using var sandbox = await TestSandbox.StartAsync();

        var (status, body) = await CreateAsync(sandbox, "a.txt", purpose, withFile: withFile);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal(field, (string)body!["detail"]![0]!["loc"]![1]!);
    }

    [Fact]
    public async Task List_FiltersOrdersAndPages()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var ids = new List<string>();
        foreach (var name in new[] { "c.txt", "a.txt", "b.txt" })
        {
            ids.Add((string)(await CreateAsync(sandbox, name, externalId: "x-" + name)).Body!["id"]!);
        }

        var newest = await sandbox.OkAsync(HttpMethod.Get, "api/v1/beta/files");
        var byName = await sandbox.OkAsync(HttpMethod.Get, "api/v1/beta/files?order_by=name");
        var page1 = await sandbox.OkAsync(HttpMethod.Get, "api/v1/beta/files?order_by=name&page_size=2");
        var page2 = await sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/files?order_by=name&page_size=2&page_token={(string)page1["next_page_token"]!}");
        var filtered = await sandbox.OkAsync(HttpMethod.Get, "api/v1/beta/files?file_name=a.txt");
        var byExternal = await sandbox.OkAsync(HttpMethod.Get, "api/v1/beta/files?external_file_id=x-b.txt");
        var byIds = await sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/files?file_ids={ids[0]}&file_ids={ids[2]}");
        var (badOrder, _) = await sandbox.GetAsync("api/v1/beta/files?order_by=size");

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
        await using var sandbox = await TestSandbox.StartAsync();
        var id = (string)(await CreateAsync(sandbox, "a.txt")).Body!["id"]!;

        var file = await sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/files/{id}?expand=download_url");
        var content = await sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/files/{id}/content?expires_at_seconds=60");
        using var anonymous = new HttpClient();
        var bytes = await anonymous.GetStringAsync((string)content["url"]!, TestSandbox.Ct);
        var (deleted, _) = await sandbox.SendAsync(HttpMethod.Delete, $"api/v1/beta/files/{id}");
        var (gone, _) = await sandbox.GetAsync($"api/v1/beta/files/{id}");
        var (goneContent, _) = await sandbox.GetAsync($"api/v1/beta/files/{id}/content");

        Assert.NotNull(file["download_url"]!["url"]);
        Assert.Equal("content of a.txt", bytes);
        Assert.NotNull(content["expires_at"]);
        Assert.Equal(HttpStatusCode.NoContent, deleted);
        Assert.Equal(HttpStatusCode.NotFound, gone);
        Assert.Equal(HttpStatusCode.NotFound, goneContent);
    }

    [Fact]
    public async Task DirectoryFiles_SurviveADeleteOfTheirStoredFile()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var dir = await sandbox.CreateDirectoryAsync("d");
        var entry = await sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/directories/{dir}/files/{await sandbox.UploadTextAsync(dir, "a.txt", "x")}");
        await sandbox.SendAsync(HttpMethod.Delete, $"api/v1/beta/files/{(string)entry["file_id"]!}");

        var done = await sandbox.WaitForBatchAsync(await sandbox.CreateBatchAsync(dir), "COMPLETED");

        Assert.NotNull(done["results"]![0]!["job_reference"]);
    }
}

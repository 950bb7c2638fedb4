using System.Net;
using System.Text;

namespace BatchOrchestrator.Sandbox.Tests.Admin;

public sealed class ErrorShapeFacts
{
    [Fact]
    public async Task ABodyThatIsNotAnObject_Is422AtTheBodyItself()
    {
        await using var sandbox = await TestSandbox.StartAsync();

        var (status, body) = await sandbox.PostAsync("api/v2/batches", "[1,2]");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("model_attributes_type", (string)body!["detail"]![0]!["type"]!);
        Assert.Equal("body", (string)body["detail"]![0]!["loc"]!.AsArray().Single()!);
    }

    [Fact]
    public async Task AnEmptyBody_Is422Missing()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var content = new StringContent(string.Empty, Encoding.UTF8, "application/json");

        using var response = await sandbox.Client.PostAsync("api/v1/beta/directories", content, TestSandbox.Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("\"missing\"", await response.Content.ReadAsStringAsync(TestSandbox.Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOversizedJsonBody_Is413()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var huge = "{\"name\":\"" + new string('x', 17 * 1024 * 1024) + "\"}";

        var (status, body) = await sandbox.PostAsync("api/v1/beta/directories", huge);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.NotNull(body!["detail"]);
    }

    [Fact]
    public async Task AFileAskedForThroughTheWrongDirectory_Is404()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var a = await sandbox.CreateDirectoryAsync("a");
        var b = await sandbox.CreateDirectoryAsync("b");
        var file = await sandbox.UploadTextAsync(a, "x.txt", "x");

        var (status, _) = await sandbox.GetAsync($"api/v1/beta/directories/{b}/files/{file}");

        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task UnknownApiRoutes_Are404_AndCountedAsUnmatched()
    {
        await using var sandbox = await TestSandbox.StartAsync();

        var (status, _) = await sandbox.GetAsync("api/v9/nothing");
        var counters = await sandbox.Admin.CountersJsonAsync();

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(1, (int)counters["requests_by_route"]!["GET (unmatched)"]!);
    }

    [Fact]
    public async Task DisposingTwice_IsHarmless()
    {
        var sandbox = await SandboxServer.StartAsync(new SandboxOptions(), TestSandbox.Ct);

        await sandbox.DisposeAsync();
        await sandbox.DisposeAsync();

        Assert.Equal("127.0.0.1", sandbox.BaseAddress.Host);
    }
}

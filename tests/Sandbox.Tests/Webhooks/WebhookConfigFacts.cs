namespace BatchOrchestrator.Sandbox.Tests.Webhooks;

public sealed class WebhookConfigFacts : SandboxPerTest
{
    [Fact]
    public async Task Create_HidesTheSecret_AndListIsAPlainArrayNewestFirst()
    {
        var first = await Sandbox.OkAsync(HttpMethod.Post, "api/v1/beta/webhook-configs", new { webhook_url = "https://example.com/a", webhook_signing_secret = "shh" });
        var second = await Sandbox.OkAsync(HttpMethod.Post, "api/v1/beta/webhook-configs", new { webhook_url = "https://example.com/b", webhook_events = new[] { "batch.success" } });
        var list = await Sandbox.OkAsync(HttpMethod.Get, "api/v1/beta/webhook-configs");

        Assert.True((bool)first["has_secret"]!);
        Assert.DoesNotContain("shh", first.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("project", (string)first["tenant_type"]!);
        Assert.Equal("string", (string)first["webhook_output_format"]!);
        Assert.Null(first["webhook_events"]);
        Assert.False((bool)second["has_secret"]!);
        Assert.Equal(new[] { (string)second["id"]!, (string)first["id"]! }, list.AsArray().Select(c => (string)c!["id"]!));
    }

    [Fact]
    public async Task Put_ChangesOnlyTheFieldsPresent_AndDeleteRemoves()
    {
        var id = (string)(await Sandbox.OkAsync(HttpMethod.Post, "api/v1/beta/webhook-configs", new { webhook_url = "https://example.com/a", webhook_events = new[] { "batch.success" }, webhook_signing_secret = "s" }))["id"]!;

        var updated = await Sandbox.OkAsync(HttpMethod.Put, $"api/v1/beta/webhook-configs/{id}", new { webhook_output_format = "json" });
        var cleared = await Sandbox.OkAsync(HttpMethod.Put, $"api/v1/beta/webhook-configs/{id}", new { webhook_events = (string[]?)null, webhook_signing_secret = (string?)null });
        var got = await Sandbox.OkAsync(HttpMethod.Get, $"api/v1/beta/webhook-configs/{id}");
        var (deleted, _) = await Sandbox.SendAsync(HttpMethod.Delete, $"api/v1/beta/webhook-configs/{id}");
        var (gone, _) = await Sandbox.GetAsync($"api/v1/beta/webhook-configs/{id}");
        var (putGone, _) = await Sandbox.SendAsync(HttpMethod.Put, $"api/v1/beta/webhook-configs/{id}", new { webhook_output_format = "json" });

        Assert.Equal("json", (string)updated["webhook_output_format"]!);
        Assert.Equal("batch.success", (string)updated["webhook_events"]![0]!);
        Assert.Equal("https://example.com/a", (string)updated["webhook_url"]!);
        Assert.True((bool)updated["has_secret"]!);
        Assert.Null(cleared["webhook_events"]);
        Assert.False((bool)cleared["has_secret"]!);
        Assert.Equal("json", (string)got["webhook_output_format"]!);
        Assert.Equal(
            new[] { HttpStatusCode.NoContent, HttpStatusCode.NotFound, HttpStatusCode.NotFound },
            new[] { deleted, gone, putGone });
    }

    [Theory]
    [InlineData("""{}""", "webhook_url", "missing")]
    [InlineData("""{"webhook_url":"ftp://x"}""", "webhook_url", "url_parsing")]
    [InlineData("""{"webhook_url":"https://x","webhook_events":[]}""", "webhook_events", "too_short")]
    [InlineData("""{"webhook_url":"https://x","webhook_output_format":"xml"}""", "webhook_output_format", "literal_error")]
    public async Task Create_Is422_ForInvalidBodies(string json, string field, string type)
    {
        var (status, body) = await Sandbox.PostAsync("api/v1/beta/webhook-configs", json);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal(type, (string)body!["detail"]![0]!["type"]!);
        Assert.Equal(field, (string)body["detail"]![0]!["loc"]![1]!);
    }
}

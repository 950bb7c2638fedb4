namespace BatchOrchestrator.Sandbox.Tests.Fidelity;

/// <summary>
/// FastAPI parses a body as JSON only without a <c>Content-Type</c> or with <c>application/json</c> (or
/// <c>application/*+json</c>); under any other type pydantic gets the bytes, and a model refuses them as it refuses a
/// body that is no object (docs/llamacloud-api.md §1.4). The SDK marks every JSON body <c>application/json</c>.
/// </summary>
public sealed class JsonContentTypeFacts : SandboxPerTest
{
    [Theory]
    [InlineData("text/plain; charset=utf-8")]
    [InlineData("application/x-www-form-urlencoded")] // what curl's -d sends
    [InlineData("application/octet-stream")]
    [InlineData("text/json")]
    public async Task AJsonBodyUnderAnotherType_IsOneModelAttributesTypeIssue_AndCreatesNothing(string contentType)
    {
        using var response = await PostAsync("api/v1/beta/directories", """{"name":"typed"}""", contentType);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var issue = Assert.Single(body!["detail"]!.AsArray());
        Assert.Equal("model_attributes_type", (string)issue!["type"]!);
        Assert.Equal("body", string.Join(',', issue["loc"]!.AsArray().Select(l => l!.ToString())));
        Assert.Equal(0, (await Sandbox.Admin.CountersAsync()).DirectoryCreatesTotal);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("Application/JSON")]
    [InlineData("application/merge-patch+json")]
    [InlineData(null)] // no type at all: FastAPI reads JSON
    public async Task AJsonBody_IsReadUnderAJsonTypeOrNone(string? contentType)
    {
        using var response = await PostAsync("api/v1/beta/directories", """{"name":"typed"}""", contentType);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AJsonBodyWithoutAType_IsRefused_WhenTheGuessSaysTheServiceIsStrict()
    {
        await RestartSandboxAsync(o => o.Guesses.RefuseJsonWithoutContentType = true);

        using var untyped = await PostAsync("api/v1/beta/directories", """{"name":"untyped"}""", contentType: null);
        using var typed = await PostAsync("api/v1/beta/directories", """{"name":"typed"}""", "application/json");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, untyped.StatusCode);
        Assert.Equal(HttpStatusCode.OK, typed.StatusCode);
    }

    [Fact]
    public async Task TheSandboxsOwnRoutes_TakeJsonUnderAnyType()
    {
        using var response = await PostAsync("_sandbox/faults", """{"error_rate":0.0}""", "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string json, string? contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        return await Sandbox.Client.SendAsync(request, Ct);
    }
}

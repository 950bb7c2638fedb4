namespace BatchOrchestrator.Sandbox.Tests.Fidelity;

/// <summary>
/// A JSON body that is no object is refused as FastAPI refuses one for a pydantic model: one issue,
/// <c>model_attributes_type</c> at <c>["body"]</c>, and nothing about the fields inside, which pydantic never reaches.
/// </summary>
public sealed class BodyNotAnObjectFacts : SandboxPerTest
{
    [Theory]
    [InlineData("POST", "api/v1/beta/directories", "[]")] // DirectoryCreateParams: "name" would be missing
    [InlineData("POST", "api/v2/batches", "[]")]
    [InlineData("POST", "api/v2/parse", "\"x\"")]
    [InlineData("POST", "api/v2/extract", "1")]
    [InlineData("POST", "api/v1/beta/configurations", "[]")]
    [InlineData("POST", "api/v1/beta/webhook-configs", "[]")] // WebhookConfigCreateParams, read as one webhook item before
    [InlineData("PUT", "api/v1/beta/webhook-configs/whc-none", "[]")]
    [InlineData("POST", "api/v1/beta/batch-processing", "[]")]
    public async Task ABodyThatIsNoObject_IsOneModelAttributesTypeIssue(string method, string path, string json)
    {
        var (status, body) = await Sandbox.SendAsync(new HttpMethod(method), path, json);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var issue = Assert.Single(body!["detail"]!.AsArray());
        Assert.Equal("model_attributes_type", (string)issue!["type"]!);
        Assert.Equal("body", string.Join(',', issue["loc"]!.AsArray().Select(l => l!.ToString())));
    }
}

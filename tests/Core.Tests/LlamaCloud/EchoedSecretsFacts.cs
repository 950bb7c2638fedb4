using BatchOrchestrator.Core.Webhooks;

namespace BatchOrchestrator.Core.Tests.LlamaCloud;

/// <summary>
/// An error body may echo the request it answers: a proxy's or gateway's debug page, a validation message from a layer
/// that is not FastAPI. Its text becomes the exception's message, which is logged, stored by Hangfire and shown on the
/// dashboard, so the API key, the webhook's signing secret and a gateway token in Webhooks:PublicUrl must not survive
/// it. The answer here comes from a handler that echoes what the client really sent, wired as production wires the client.
/// </summary>
public sealed class EchoedSecretsFacts
{
    private const string Key = "llx-CANARY-key-5d0e7a91c3";
    private const string Secret = "whsec-CANARY-sig-8b2f4c6d0e";
    private const string GatewayToken = "GWCANARY-tok-3c9a1e7b5f";
    private const string PublicUrl = $"https://gw.example.com/hook?code={GatewayToken}";

    [Theory]
    [InlineData("text/html", "<html><head><title>400 Bad Request</title></head><body><h1>Bad Request</h1><pre>{0}</pre></body></html>")]
    [InlineData("text/plain", "request refused by the gateway; you sent: {0}")]
    [InlineData("application/json", """{{"error":"unprocessable","echo":{1}}}""")]
    public async Task AnErrorBodyEchoingTheRequest_LeavesNoSecretInTheException(string contentType, string page)
    {
        using var services = ClientHost.Build(new Uri("https://api.example.test/"), Key, settings: new Dictionary<string, string?>
        {
            ["Webhooks:PublicUrl"] = PublicUrl,
            ["Webhooks:SigningSecret"] = Secret,
        }, configure: s => s.AddHttpClient(LlamaCloudApis.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new EchoingHandler(contentType, page)));
        var webhook = new WebhookConfiguration(PublicUrl, ["batch.success"], "json", Secret);

        var refused = await Assert.ThrowsAsync<LlamaCloudRejectedException>(() => services.Api().CreateBatchAsync(
            new CreateBatchRequest("dir-1", new RemoteBatchConfig(new RemoteBatchJob("parse_v2", "cfg-1")), [webhook]), Ct));

        Assert.StartsWith("LlamaCloud POST /api/v2/batches answered 400 BadRequest: ", refused.Message, StringComparison.Ordinal);
        Assert.Contains("webhook_url", refused.Message, StringComparison.Ordinal); // the echo is there, less its secrets
        foreach (var text in new[] { refused.Message, refused.Detail ?? "", refused.ToString() })
        {
            Assert.DoesNotContain("CANARY", text, StringComparison.Ordinal);
        }
    }

    /// <summary>Answers 400 with <c>page</c> holding what it was sent: {0} as text (headers and body), {1} as a JSON string.</summary>
    private sealed class EchoingHandler(string contentType, string page) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var sent = $"{await request.Content!.ReadAsStringAsync(cancellationToken)}\n{request.Method} {request.RequestUri}\nAuthorization: {request.Headers.Authorization}";
            var echo = string.Format(System.Globalization.CultureInfo.InvariantCulture, page, System.Net.WebUtility.HtmlEncode(sent), System.Text.Json.JsonSerializer.Serialize(sent));
            return new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent(echo, Encoding.UTF8, contentType), RequestMessage = request };
        }
    }
}

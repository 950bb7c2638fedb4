namespace BatchOrchestrator.Core.Tests.LlamaCloud;

public sealed class ErrorDetailFacts
{
    [Theory]
    [InlineData("""{"detail":"Directory not found"}""", "Directory not found")]
    [InlineData("""{"detail":[{"loc":["body","config","job","type"],"msg":"Input should be 'parse_v2'","type":"enum"}]}""", "body.config.job.type: Input should be 'parse_v2'")]
    // A body in no FastAPI shape is an excerpt: its text without markup or breaks, short, what looks like a credential left out.
    [InlineData("<html>Bad gateway</html>", "Bad gateway")]
    [InlineData("<html><head><title>400 Bad Request</title><style>p{color:red}</style><script>var t='x';</script></head><body><h1>Bad Request</h1><pre>POST /api/v2/batches HTTP/1.1&#10;Authorization: Bearer llx-canary-secret-1234567890&#10;</pre></body></html>", "400 Bad Request Bad Request POST /api/v2/batches HTTP/1.1 Authorization: (left out)")]
    [InlineData("upstream said:\r\nbearer llx-canary-secret-1234567890 was refused", "upstream said: bearer (left out) was refused")]
    [InlineData("""{"error":"Unprocessable","request":{"headers":{"authorization":"Bearer llx-canary-secret-1234567890","x-api-key":"canary-secret-1234567890"},"body":{"webhook_signing_secret":"canary-secret-1234567890"}}}""", """{"error":"Unprocessable","request":{"headers":{"authorization":(left out),"x-api-key":(left out)},"body":{"webhook_signing_secret":(left out)}}}""")]
    [InlineData("""{"message":"invalid","input":{"webhook_url":"https://gw.example.com/hook?code=canary-secret-1234567890"}}""", """{"message":"invalid"}""")]
    // Pydantic v2 quotes what was sent at loc (input): a webhook's signing secret among it must not reach a log line.
    [InlineData("""{"detail":[{"type":"string_type","loc":["body","webhook_configurations",0,"webhook_url"],"msg":"Input should be a valid string","input":{"webhook_url":1,"webhook_headers":{"x-signature-secret":"canary-secret-1234567890"}}}]}""", "body.webhook_configurations.0.webhook_url: Input should be a valid string")]
    // pydantic's ctx follows input, and some types quote what was sent in it (union_tag_invalid's "tag"; here only ctx
    // carries the canary): it is never copied either.
    [InlineData("""{"detail":[{"type":"union_tag_invalid","loc":["body","parameters"],"msg":"Input tag does not match any of the expected tags","input":{"product_type":"canary-secret-1234567890"},"ctx":{"discriminator":"'product_type'","tag":"canary-secret-1234567890","expected_tags":"'parse_v2'"}}]}""", "body.parameters: Input tag does not match any of the expected tags")]
    [InlineData("""{"detail":[{"type":"literal_error","loc":["query","status"],"msg":"Input should be 'PENDING' or 'RUNNING'","input":"done","ctx":{"expected":"'PENDING' or 'RUNNING'"}}]}""", "query.status: Input should be 'PENDING' or 'RUNNING'")]
    // An issue without msg is shown as its JSON, less input and ctx.
    [InlineData("""{"detail":[{"type":"value_error","loc":["body","webhook_headers"],"input":{"x-secret":"canary-secret-1234567890"},"ctx":{"error":"canary-secret-1234567890"}}]}""", "body.webhook_headers: {\"type\":\"value_error\",\"loc\":[\"body\",\"webhook_headers\"]}")]
    // A detail that is an object (FastAPI's HTTPException takes any JSON) was copied whole, input and all: now less input and ctx.
    [InlineData("""{"detail":{"type":"value_error","loc":["body","webhook_configurations",0],"msg":"Value error, unreachable webhook","input":{"webhook_signing_secret":"canary-secret-1234567890"}}}""", "{\"type\":\"value_error\",\"loc\":[\"body\",\"webhook_configurations\",0],\"msg\":\"Value error, unreachable webhook\"}")]
    [InlineData("""{"detail":{"code":"webhook_rejected","input":{"webhook_url":"https://gw.example.com/hook?code=canary-secret-1234567890"}}}""", "{\"code\":\"webhook_rejected\"}")]
    // ... and a list of issues inside it, at any depth.
    [InlineData("""{"detail":{"code":"invalid","errors":[{"loc":["body","webhook_url"],"input":"https://gw.example.com/hook?code=canary-secret-1234567890","ctx":{"error":"canary-secret-1234567890"}}]}}""", "{\"code\":\"invalid\",\"errors\":[{\"loc\":[\"body\",\"webhook_url\"]}]}")]
    // A NUL, which a detail quoting a document may hold, is left out: the text is stored as an error, and PostgreSQL's text refuses it.
    [InlineData("{\"detail\":\"page 3: glyph \\u0000 unreadable\"}", "page 3: glyph  unreadable")]
    public async Task ReadAsync_DescribesFastApiBodies_AndFallsBackToText(string body, string expected)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent(body, Encoding.UTF8) };

        Assert.Equal(expected, await ErrorDetail.ReadAsync(response, secrets: null, Ct));
    }

    [Fact]
    public async Task ReadAsync_KeepsABodyInNoFastApiShapeShort()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.BadGateway) { Content = new StringContent("<p>" + string.Concat(Enumerable.Repeat("upstream failed ", 200)) + "</p>", Encoding.UTF8) };

        var detail = await ErrorDetail.ReadAsync(response, secrets: null, Ct);

        Assert.StartsWith("upstream failed upstream failed", detail, StringComparison.Ordinal);
        Assert.True(detail!.Length <= 301, $"{detail.Length} characters");
    }

    [Theory]
    [InlineData("""{"detail":"webhook https://gw.example.com/hook?code=GWCANARY-tok-3c9a1e7b5f is unreachable"}""", "webhook https://gw.example.com/hook?code=(left out) is unreachable")]
    [InlineData("""{"detail":"signing secret whsec-CANARY-sig-8b2f4c6d0e is too weak"}""", "signing secret (left out) is too weak")]
    [InlineData("""{"detail":"key llx-CANARY-key-5d0e7a91c3 revoked"}""", "key (left out) revoked")]
    [InlineData("Forbidden: https://ops:GWCANARY-pw-0f2a@gw.example.com/hook", "Forbidden: https://ops:(left out)@gw.example.com/hook")]
    public async Task ReadAsync_LeavesOutEverySecretTheRequestsCarry_WhereverTheBodyQuotesIt(string body, string expected)
    {
        var llamaCloud = new LlamaCloudOptions { ApiKey = "llx-CANARY-key-5d0e7a91c3" };
        var webhooks = new Core.Webhooks.WebhookOptions
        {
            PublicUrl = new Uri("https://ops:GWCANARY-pw-0f2a@gw.example.com/hook?code=GWCANARY-tok-3c9a1e7b5f"),
            SigningSecret = "whsec-CANARY-sig-8b2f4c6d0e",
        };
        using var response = new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent(body, Encoding.UTF8) };

        Assert.Equal(expected, await ErrorDetail.ReadAsync(response, new SentSecrets(() => [llamaCloud.ApiKey, .. webhooks.SentSecrets()]), Ct));
    }
}

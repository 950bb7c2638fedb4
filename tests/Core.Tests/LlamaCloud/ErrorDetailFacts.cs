namespace BatchOrchestrator.Core.Tests.LlamaCloud;

public sealed class ErrorDetailFacts
{
    [Theory]
    [InlineData("""{"detail":"Directory not found"}""", "Directory not found")]
    [InlineData("""{"detail":[{"loc":["body","config","job","type"],"msg":"Input should be 'parse_v2'","type":"enum"}]}""", "body.config.job.type: Input should be 'parse_v2'")]
    [InlineData("<html>Bad gateway</html>", "<html>Bad gateway</html>")]
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
    public async Task ReadAsync_DescribesFastApiBodies_AndFallsBackToText(string body, string expected)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent(body, Encoding.UTF8) };

        Assert.Equal(expected, await ErrorDetail.ReadAsync(response, Ct));
    }
}

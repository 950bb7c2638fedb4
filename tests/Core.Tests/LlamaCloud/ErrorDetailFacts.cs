namespace BatchOrchestrator.Core.Tests.LlamaCloud;

public sealed class ErrorDetailFacts
{
    [Theory]
    [InlineData("""{"detail":"Directory not found"}""", "Directory not found")]
    [InlineData("""{"detail":[{"loc":["body","config","job","type"],"msg":"Input should be 'parse_v2'","type":"enum"}]}""", "body.config.job.type: Input should be 'parse_v2'")]
    [InlineData("<html>Bad gateway</html>", "<html>Bad gateway</html>")]
    public async Task ReadAsync_DescribesFastApiBodies_AndFallsBackToText(string body, string expected)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent(body, Encoding.UTF8) };

        Assert.Equal(expected, await ErrorDetail.ReadAsync(response, Ct));
    }
}

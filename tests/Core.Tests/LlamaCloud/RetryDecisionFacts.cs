namespace BatchOrchestrator.Core.Tests.LlamaCloud;

/// <summary>
/// <c>x-should-retry</c> as TypeScript SDK 2.16.0 reads it (<c>client.js</c>, <c>shouldRetry</c>): only the exact texts
/// <c>true</c> and <c>false</c> override the status, compared as <c>headers.get</c> gives them (docs/llamacloud-api.md §1.4).
/// </summary>
public sealed class RetryDecisionFacts
{
    [Theory]
    [InlineData("False")] // no answer to the SDK: a 503 is retried
    [InlineData("FALSE")]
    [InlineData("0")]
    [InlineData("no")]
    public void ARead_AnsweredWith503_IsRetried_WhenTheHeaderIsNotExactlyFalse(string value)
    {
        using var response = Answer(HttpStatusCode.ServiceUnavailable, value);

        Assert.True(RetryDecision.ShouldRetry(response, failure: null, createsResource: false));
    }

    [Theory]
    [InlineData("True")] // no answer to the SDK: a 400 is not retried
    [InlineData("TRUE")]
    [InlineData("1")]
    public void ARead_AnsweredWith400_IsNotRetried_WhenTheHeaderIsNotExactlyTrue(string value)
    {
        using var response = Answer(HttpStatusCode.BadRequest, value);

        Assert.False(RetryDecision.ShouldRetry(response, failure: null, createsResource: false));
    }

    [Fact]
    public void AHeaderSentTwice_IsOneText_WhichIsNeitherTrueNorFalse()
    {
        // headers.get joins repeated fields with ", ": "false, false" overrides nothing, so the 503 is retried.
        using var twiceFalse = Answer(HttpStatusCode.ServiceUnavailable, "false", "false");
        using var twiceTrue = Answer(HttpStatusCode.BadRequest, "true", "true");

        Assert.True(RetryDecision.ShouldRetry(twiceFalse, failure: null, createsResource: false));
        Assert.False(RetryDecision.ShouldRetry(twiceTrue, failure: null, createsResource: false));
    }

    [Fact]
    public void TheExactTexts_StillOverrideTheStatus()
    {
        using var no = Answer(HttpStatusCode.ServiceUnavailable, "false");
        using var yes = Answer(HttpStatusCode.BadRequest, "true");

        Assert.False(RetryDecision.ShouldRetry(no, failure: null, createsResource: false));
        Assert.True(RetryDecision.ShouldRetry(yes, failure: null, createsResource: false));
    }

    private static HttpResponseMessage Answer(HttpStatusCode status, params string[] shouldRetry)
    {
        var response = new HttpResponseMessage(status);
        foreach (var value in shouldRetry)
        {
            response.Headers.TryAddWithoutValidation("x-should-retry", value);
        }

        return response;
    }
}

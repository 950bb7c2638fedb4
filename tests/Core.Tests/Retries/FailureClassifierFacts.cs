namespace BatchOrchestrator.Core.Tests.Retries;

public sealed class FailureClassifierFacts
{
    [Theory]
    [InlineData("Unsupported file type: .exe", "Permanent")]
    [InlineData("File is empty (0 bytes)", "Permanent")]
    [InlineData("Failed to parse document: the file appears to be corrupted", "Permanent")]
    [InlineData("Document is password protected", "Permanent")]
    [InlineData("Page limit exceeded: the document has more pages than the plan allows", "Permanent")]
    [InlineData("Unable to extract text: the document contains only unreadable scanned images", "Permanent")]
    [InlineData("LlamaCloud skipped it: size_limit_exceeded", "Permanent")]
    [InlineData("Processing timed out after 1800 seconds", "Transient")]
    [InlineData("Service temporarily unavailable", "Transient")]
    [InlineData("Rate limit exceeded: 50 requests per 5 s", "Throttled")]
    [InlineData("Insufficient credits for this operation", "Throttled")]
    [InlineData("Unauthorized: invalid API key", "Auth")]
    [InlineData("something nobody has seen before", "Transient")]
    [InlineData(null, "Transient")]
    public void Classify_PutsEachKnownMessageInItsClass(string? message, string expected) =>
        Assert.Equal(expected, FailureClassifier.Classify(message).ToString());

    [Theory]
    [InlineData("Transient", "Transient", true)]
    [InlineData("Throttled", "Throttled", true)]
    [InlineData("Auth", "Auth", false)]
    [InlineData("Rejected", "Permanent", false)]
    public void FromApi_MapsTheClientsTaxonomy_AndOnlyTransientAndThrottledRetryByThemselves(string api, string expected, bool automatic)
    {
        var failureClass = FailureClassifier.FromApi(Enum.Parse<ApiErrorClass>(api));
        Assert.Equal(expected, failureClass.ToString());
        Assert.Equal(automatic, failureClass.RetriedAutomatically());
    }
}

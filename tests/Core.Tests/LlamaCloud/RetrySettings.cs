namespace BatchOrchestrator.Core.Tests.LlamaCloud;

/// <summary>The client's retry settings scaled down for tests: backoff without hints in milliseconds, the server's hints as they are.</summary>
internal static class RetrySettings
{
    public static readonly IReadOnlyDictionary<string, string?> Fast = new Dictionary<string, string?>
    {
        ["LlamaCloud:FirstRetryDelay"] = "00:00:00.001",
        ["LlamaCloud:MaxRetryDelay"] = "00:00:00.004",
        ["LlamaCloud:MaxInProcessRetryWait"] = "00:00:01",
        ["LlamaCloud:MaxRetryAfter"] = "00:10:00",
    };
}

using System.Diagnostics;

namespace BatchOrchestrator.Core.Tests.LlamaCloud;

/// <summary>
/// The server's retry hints against the Sandbox over loopback, as the TypeScript SDK 2.16.0 reads them
/// (retry-after-ms before Retry-After as seconds or a date): a zero one a retry at once, a short one slept in process, a long one handed
/// back instead of slept, one above the cap taken as the cap. The hints are not scaled down.
/// </summary>
public sealed class RetryAfterHintFacts() : SandboxClientFacts(maxRetries: 5, RetrySettings.Fast)
{
    [Fact]
    public async Task AShortHint_IsSleptInProcess_AndTheRetrySucceeds()
    {
        await Admin.SetFaultsAsync(new { too_many_requests_burst = 1, retry_after_ms = 300, retry_after_format = "ms" });
        var clock = Stopwatch.StartNew();

        await Api.FindDirectoryByNameAsync("x", Ct);

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(290), $"retried after {clock.Elapsed}, before the server's 300 ms");
        Assert.Equal(1, (await Admin.CountersAsync()).ResponsesByStatus.GetValueOrDefault("429"));
    }

    [Theory]
    [InlineData("ms")] // retry-after-ms: 0 alone
    [InlineData("seconds")] // Retry-After: 0
    [InlineData("seconds_and_ms")] // both zero
    public async Task AZeroHint_IsARetryAtOnce_NotTheBackoff(string format)
    {
        // The SDK sleeps a zero hint, which is no wait (TypeScript SDK 2.16.0 client.js, retryRequest). The backoff
        // here is 3.75 to 5 s, so a zero taken for "no hint" shows in the logged wait.
        var logs = new CapturingLoggerProvider();
        await using var client = ClientHost.Build(
            Sandbox.BaseAddress, Key, maxRetries: 5, new Dictionary<string, string?>(RetrySettings.Fast) { ["LlamaCloud:FirstRetryDelay"] = "00:00:05", ["LlamaCloud:MaxRetryDelay"] = "00:00:05" }, logs);
        await Admin.SetFaultsAsync(new { too_many_requests_burst = 1, retry_after_ms = 0, retry_after_format = format });

        await client.Api().FindDirectoryByNameAsync("x", Ct);

        var retry = Assert.Single(logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("retry 1 of 5", StringComparison.Ordinal));
        Assert.Matches(@"retry 1 of 5 in 00:00:00\s*$", retry);
        Assert.Equal(1, (await Admin.CountersAsync()).ResponsesByStatus.GetValueOrDefault("429"));
    }

    [Theory]
    [InlineData("seconds", 3000, 3.0, 3.0)] // Retry-After: 3
    [InlineData("seconds_and_ms", 2500, 2.5, 2.5)] // retry-after-ms: 2500 wins over Retry-After: 3
    [InlineData("date", 3000, 2.0, 5.0)] // Retry-After: an HTTP date about 4 s ahead, in whole seconds
    public async Task AHintLongerThanTheInProcessWait_IsHandedBackAsADeferral_NotRetried(string format, int retryAfterMs, double minSeconds, double maxSeconds)
    {
        await Admin.SetFaultsAsync(new { too_many_requests_burst = 1, retry_after_ms = retryAfterMs, retry_after_format = format });

        var error = await Assert.ThrowsAsync<LlamaCloudTransientException>(() => Api.CreateDirectoryAsync("deferred", Ct));

        Assert.True(error.Deferred);
        Assert.InRange(error.RetryAfter!.Value.TotalSeconds, minSeconds, maxSeconds);
        Assert.Equal(ApiErrorClass.Throttled, error.ErrorClass);
        Assert.Equal(1, (await Admin.CountersAsync()).ResponsesByStatus.GetValueOrDefault("429"));
    }

    [Fact]
    public async Task AHintAboveTheCap_IsTakenAsTheCap()
    {
        await using var capped = ClientHost.Build(Sandbox.BaseAddress, Key, maxRetries: 5, new Dictionary<string, string?>(RetrySettings.Fast) { ["LlamaCloud:MaxRetryAfter"] = "00:00:02" });
        await Admin.SetFaultsAsync(new { too_many_requests_burst = 1, retry_after_ms = 7_200_000, retry_after_format = "seconds" });

        var error = await Assert.ThrowsAsync<LlamaCloudTransientException>(() => capped.Api().FindDirectoryByNameAsync("x", Ct));

        Assert.Equal(TimeSpan.FromSeconds(2), error.RetryAfter);
        Assert.True(error.Deferred);
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Sandbox;
using BatchOrchestrator.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace BatchOrchestrator.Core.Tests.LlamaCloud;

/// <summary>
/// The resilience pipeline against the Sandbox over loopback: the TypeScript SDK 2.16.0's retries
/// (5, which statuses, x-should-retry, retry-after-ms before Retry-After as seconds or a date), our
/// rule for creates, hints handed back instead of slept, the cap, the attempt timeout, the User-Agent.
/// The backoff without hints is scaled down to milliseconds; the server's hints are not.
/// </summary>
public sealed class RetryPipelineFacts : IAsyncLifetime
{
    private const string Key = "llx-retry-key";
    private static readonly Dictionary<string, string?> Fast = new()
    {
        ["LlamaCloud:FirstRetryDelay"] = "00:00:00.001",
        ["LlamaCloud:MaxRetryDelay"] = "00:00:00.004",
        ["LlamaCloud:MaxInProcessRetryWait"] = "00:00:01",
        ["LlamaCloud:MaxRetryAfter"] = "00:10:00",
    };

    private SandboxServer sandbox = null!;
    private SandboxAdmin admin = null!;
    private ServiceProvider services = null!;
    private IBatchApi api = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        sandbox = await SandboxServer.StartAsync(new SandboxOptions { ApiKey = Key, StepDelay = TimeSpan.FromMilliseconds(20) }, Ct);
        admin = new SandboxAdmin(sandbox.BaseAddress);
        services = ClientHost.Build(sandbox.BaseAddress, Key, maxRetries: 5, Fast);
        api = services.Api();
    }

    public async ValueTask DisposeAsync()
    {
        await services.DisposeAsync();
        admin.Dispose();
        await sandbox.DisposeAsync();
    }

    [Fact]
    public async Task AFailingRead_IsTriedSixTimes_TheFirstAndFiveRetries()
    {
        await admin.SetFaultsAsync(new { error_rate = 1.0, error_status_codes = new[] { 503 }, routes = new[] { "GET /api/v1/beta/directories" } });

        await Assert.ThrowsAsync<LlamaCloudTransientException>(() => api.FindDirectoryByNameAsync("x", Ct));

        Assert.Equal(6, (await admin.CountersAsync()).ResponsesByStatus.GetValueOrDefault("503"));
    }

    [Fact]
    public async Task A429_IsRetriedFiveTimesEvenForACreate_ThenTheCreateHappensOnce()
    {
        await admin.SetFaultsAsync(new { too_many_requests_burst = 5, retry_after_ms = 5, retry_after_format = "ms", routes = new[] { "POST /api/v1/beta/directories" } });

        var created = await api.CreateDirectoryAsync("after-five-429s", Ct);

        var counters = await admin.CountersAsync();
        Assert.Equal("after-five-429s", created.Name);
        Assert.Equal(5, counters.ResponsesByStatus.GetValueOrDefault("429"));
        Assert.Equal(1, counters.DirectoryCreatesTotal);
    }

    [Fact]
    public async Task AShortHint_IsSleptInProcess_AndTheRetrySucceeds()
    {
        await admin.SetFaultsAsync(new { too_many_requests_burst = 1, retry_after_ms = 300, retry_after_format = "ms" });
        var clock = Stopwatch.StartNew();

        await api.FindDirectoryByNameAsync("x", Ct);

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(290), $"retried after {clock.Elapsed}, before the server's 300 ms");
        Assert.Equal(1, (await admin.CountersAsync()).ResponsesByStatus.GetValueOrDefault("429"));
    }

    [Theory]
    [InlineData("seconds", 3000, 3.0, 3.0)] // Retry-After: 3
    [InlineData("seconds_and_ms", 2500, 2.5, 2.5)] // retry-after-ms: 2500 wins over Retry-After: 3
    [InlineData("date", 3000, 2.0, 5.0)] // Retry-After: an HTTP date about 4 s ahead, in whole seconds
    public async Task AHintLongerThanTheInProcessWait_IsHandedBackAsADeferral_NotRetried(string format, int retryAfterMs, double minSeconds, double maxSeconds)
    {
        await admin.SetFaultsAsync(new { too_many_requests_burst = 1, retry_after_ms = retryAfterMs, retry_after_format = format });

        var error = await Assert.ThrowsAsync<LlamaCloudTransientException>(() => api.CreateDirectoryAsync("deferred", Ct));

        Assert.True(error.Deferred);
        Assert.InRange(error.RetryAfter!.Value.TotalSeconds, minSeconds, maxSeconds);
        Assert.Equal(ApiErrorClass.Throttled, error.ErrorClass);
        Assert.Equal(1, (await admin.CountersAsync()).ResponsesByStatus.GetValueOrDefault("429"));
    }

    [Fact]
    public async Task AHintAboveTheCap_IsTakenAsTheCap()
    {
        await using var capped = ClientHost.Build(sandbox.BaseAddress, Key, maxRetries: 5, new Dictionary<string, string?>(Fast) { ["LlamaCloud:MaxRetryAfter"] = "00:00:02" });
        await admin.SetFaultsAsync(new { too_many_requests_burst = 1, retry_after_ms = 7_200_000, retry_after_format = "seconds" });

        var error = await Assert.ThrowsAsync<LlamaCloudTransientException>(() => capped.Api().FindDirectoryByNameAsync("x", Ct));

        Assert.Equal(TimeSpan.FromSeconds(2), error.RetryAfter);
        Assert.True(error.Deferred);
    }

    [Fact]
    public async Task XShouldRetryFalse_StopsTheRetriesOfARead()
    {
        await admin.SetFaultsAsync(new { error_rate = 1.0, error_status_codes = new[] { 503 }, should_retry_header = false });

        await Assert.ThrowsAsync<LlamaCloudTransientException>(() => api.FindDirectoryByNameAsync("x", Ct));

        Assert.Equal(1, (await admin.CountersAsync()).ResponsesByStatus.GetValueOrDefault("503"));
    }

    [Fact]
    public async Task XShouldRetryTrue_DoesNotMakeAnAmbiguousCreateRetried_ButA429IsStillRetried()
    {
        await admin.SetFaultsAsync(new { error_rate = 1.0, error_status_codes = new[] { 503 }, should_retry_header = true });
        await Assert.ThrowsAsync<LlamaCloudTransientException>(() => api.CreateDirectoryAsync("maybe", Ct));
        await admin.SetFaultsAsync(new { error_rate = 0.0, too_many_requests_burst = 2, retry_after_ms = 5, retry_after_format = "ms" });

        await api.CreateDirectoryAsync("refused-twice", Ct);

        var counters = await admin.CountersAsync();
        Assert.Equal(1, counters.ResponsesByStatus.GetValueOrDefault("503"));
        Assert.Equal(2, counters.ResponsesByStatus.GetValueOrDefault("429"));
    }

    [Fact]
    public async Task ACreateWhoseConnectionDroppedAfterTheServerActed_IsNotRetried()
    {
        await admin.SetFaultsAsync(new { drop_after_effect_rate = 1.0, routes = new[] { "POST /api/v1/beta/directories" } });

        await Assert.ThrowsAsync<LlamaCloudTransientException>(() => api.CreateDirectoryAsync("ambiguous", Ct));

        Assert.Equal(1, await admin.CounterAsync("requests_by_route", "POST /api/v1/beta/directories"));
        Assert.Equal(1, (await admin.CountersAsync()).DirectoryCreatesTotal);
    }

    [Fact]
    public async Task ACreateWhoseConnectionWasNeverMade_IsRetriedFiveTimes()
    {
        var logs = new CapturingLoggerProvider();
        await using var nowhere = ClientHost.Build(new Uri($"http://127.0.0.1:{ClosedPort()}/"), Key, maxRetries: 5, Fast, logs);

        var error = await Assert.ThrowsAsync<LlamaCloudTransientException>(() => nowhere.Api().CreateDirectoryAsync("never-sent", Ct));

        Assert.IsType<HttpRequestException>(error.InnerException);
        Assert.Equal(5, logs.Lines.Count(l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("retry", StringComparison.Ordinal)));
        Assert.DoesNotContain(logs.Lines, l => l.Contains(Key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnAttemptWithoutAnAnswer_TimesOut_AndAReadIsTriedAgain()
    {
        await using var impatient = ClientHost.Build(
            sandbox.BaseAddress, Key, maxRetries: 1, new Dictionary<string, string?>(Fast) { ["LlamaCloud:AttemptTimeout"] = "00:00:00.5", ["LlamaCloud:MaxInProcessRetryWait"] = "00:00:00.2" });
        await admin.SetFaultsAsync(new { latency_ms = 3_000, routes = new[] { "GET /api/v1/beta/directories" } });

        var error = await Assert.ThrowsAsync<LlamaCloudTransientException>(() => impatient.Api().FindDirectoryByNameAsync("slow", Ct));

        Assert.Contains("no answer within", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, await admin.CounterAsync("requests_by_route", "GET /api/v1/beta/directories"));
    }

    [Fact]
    public async Task EveryRequest_NamesBatchOrchestratorAndItsVersion_InTheUserAgent()
    {
        await api.CreateDirectoryAsync("ua", Ct);
        await api.FindDirectoryByNameAsync("ua", Ct);

        var version = typeof(IBatchApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        var agents = await admin.MapAsync("requests_by_user_agent");
        var agent = Assert.Single(agents.Keys);
        Assert.StartsWith($"BatchOrchestrator/{version}", agent, StringComparison.Ordinal);
        Assert.Equal(2, agents[agent]);
    }

    [Fact]
    public void TheDefaults_AreTheSdks()
    {
        var options = new LlamaCloudOptions();

        Assert.Equal(5, options.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(0.5), options.FirstRetryDelay);
        Assert.Equal(TimeSpan.FromSeconds(8), options.MaxRetryDelay);
        Assert.Equal(TimeSpan.FromSeconds(30), options.MaxInProcessRetryWait);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

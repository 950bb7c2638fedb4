using System.Net.Sockets;

namespace BatchOrchestrator.Core.Tests.LlamaCloud;

/// <summary>
/// The resilience pipeline against the Sandbox over loopback: the TypeScript SDK 2.16.0's retries
/// (5, which statuses, x-should-retry), our rule for creates, the attempt timeout, the User-Agent.
/// The server's retry hints are <see cref="RetryAfterHintFacts"/>'. The backoff is scaled down to milliseconds.
/// </summary>
public sealed class RetryPipelineFacts() : SandboxClientFacts(maxRetries: 5, RetrySettings.Fast)
{
    [Fact]
    public async Task AFailingRead_IsTriedSixTimes_TheFirstAndFiveRetries()
    {
        await Admin.SetFaultsAsync(new { error_rate = 1.0, error_status_codes = new[] { 503 }, routes = new[] { "GET /api/v1/beta/directories" } });

        await Assert.ThrowsAsync<LlamaCloudTransientException>(() => Api.FindDirectoryByNameAsync("x", Ct));

        Assert.Equal(6, (await Admin.CountersAsync()).ResponsesByStatus.GetValueOrDefault("503"));
    }

    [Fact]
    public async Task A429_IsRetriedFiveTimesEvenForACreate_ThenTheCreateHappensOnce()
    {
        await Admin.SetFaultsAsync(new { too_many_requests_burst = 5, retry_after_ms = 5, retry_after_format = "ms", routes = new[] { "POST /api/v1/beta/directories" } });

        var created = await Api.CreateDirectoryAsync("after-five-429s", Ct);

        var counters = await Admin.CountersAsync();
        Assert.Equal("after-five-429s", created.Name);
        Assert.Equal(5, counters.ResponsesByStatus.GetValueOrDefault("429"));
        Assert.Equal(1, counters.DirectoryCreatesTotal);
    }

    [Fact]
    public async Task XShouldRetryFalse_StopsTheRetriesOfARead()
    {
        await Admin.SetFaultsAsync(new { error_rate = 1.0, error_status_codes = new[] { 503 }, should_retry_header = false });

        await Assert.ThrowsAsync<LlamaCloudTransientException>(() => Api.FindDirectoryByNameAsync("x", Ct));

        Assert.Equal(1, (await Admin.CountersAsync()).ResponsesByStatus.GetValueOrDefault("503"));
    }

    [Fact]
    public async Task XShouldRetryTrue_DoesNotMakeAnAmbiguousCreateRetried_ButA429IsStillRetried()
    {
        await Admin.SetFaultsAsync(new { error_rate = 1.0, error_status_codes = new[] { 503 }, should_retry_header = true });
        await Assert.ThrowsAsync<LlamaCloudTransientException>(() => Api.CreateDirectoryAsync("maybe", Ct));
        await Admin.SetFaultsAsync(new { error_rate = 0.0, too_many_requests_burst = 2, retry_after_ms = 5, retry_after_format = "ms" });

        await Api.CreateDirectoryAsync("refused-twice", Ct);

        var counters = await Admin.CountersAsync();
        Assert.Equal(1, counters.ResponsesByStatus.GetValueOrDefault("503"));
        Assert.Equal(2, counters.ResponsesByStatus.GetValueOrDefault("429"));
    }

    [Fact]
    public async Task ACreateWhoseConnectionDroppedAfterTheServerActed_IsNotRetried()
    {
        await Admin.SetFaultsAsync(new { drop_after_effect_rate = 1.0, routes = new[] { "POST /api/v1/beta/directories" } });

        await Assert.ThrowsAsync<LlamaCloudTransientException>(() => Api.CreateDirectoryAsync("ambiguous", Ct));

        Assert.Equal(1, await Admin.CounterAsync("requests_by_route", "POST /api/v1/beta/directories"));
        Assert.Equal(1, (await Admin.CountersAsync()).DirectoryCreatesTotal);
    }

    [Fact]
    public async Task ACreateWhoseConnectionWasNeverMade_IsRetriedFiveTimes()
    {
        var logs = new CapturingLoggerProvider();
        await using var nowhere = ClientHost.Build(new Uri($"http://127.0.0.1:{LoopbackPort.Unused()}/"), Key, maxRetries: 5, RetrySettings.Fast, logs);

        var error = await Assert.ThrowsAsync<LlamaCloudTransientException>(() => nowhere.Api().CreateDirectoryAsync("never-sent", Ct));

        Assert.IsType<HttpRequestException>(error.InnerException);
        Assert.Equal(5, logs.Lines.Count(l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("retry", StringComparison.Ordinal)));
        Assert.DoesNotContain(logs.Lines, l => l.Contains(Key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARequestThatWentWell_LeavesPollysLinesAtDebug()
    {
        // A service at Information logged Polly's "Resilience pipeline executed" once per API call.
        var logs = new CapturingLoggerProvider();
        await using var client = ClientHost.Build(Sandbox.BaseAddress, Key, maxRetries: 5, RetrySettings.Fast, logs);

        await client.Api().CreateDirectoryAsync("quiet", Ct);
        await client.Api().FindDirectoryByNameAsync("quiet", Ct);

        var polly = logs.Lines.Where(l => l.Split(' ', 3)[1] == "Polly").ToList();
        Assert.Contains(polly, l => l.StartsWith("Debug", StringComparison.Ordinal) && l.Contains("pipeline executed", StringComparison.Ordinal));
        Assert.All(polly, l => Assert.StartsWith("Debug", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnAttemptWithoutAnAnswer_TimesOut_AndAReadIsTriedAgain()
    {
        await using var impatient = ClientHost.Build(
            Sandbox.BaseAddress, Key, maxRetries: 1, new Dictionary<string, string?>(RetrySettings.Fast) { ["LlamaCloud:AttemptTimeout"] = "00:00:00.5", ["LlamaCloud:MaxInProcessRetryWait"] = "00:00:00.2" });
        await Admin.SetFaultsAsync(new { latency_ms = 3_000, routes = new[] { "GET /api/v1/beta/directories" } });

        var error = await Assert.ThrowsAsync<LlamaCloudTransientException>(() => impatient.Api().FindDirectoryByNameAsync("slow", Ct));

        Assert.Contains("no answer within", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, await Admin.CounterAsync("requests_by_route", "GET /api/v1/beta/directories"));
    }

    [Fact]
    public async Task EveryRequest_NamesBatchOrchestratorAndItsVersion_InTheUserAgent()
    {
        await Api.CreateDirectoryAsync("ua", Ct);
        await Api.FindDirectoryByNameAsync("ua", Ct);

        var version = typeof(IBatchApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        var agents = await Admin.MapAsync("requests_by_user_agent");
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
}

using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Core.LlamaCloud;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BatchOrchestrator.Worker.IntegrationTests.Health;

/// <summary>
/// The LlamaCloud readiness check on Core's client alone (no host, no database, so it runs beside the
/// host tests): it asks in every project the sources work in, and names the one that refuses.
/// </summary>
[Collection(ChildProcesses.Collection)]
public sealed class ApiHealthCheckFacts : IAsyncLifetime
{
    private const string Key = "llx-health-key";
    private const string Reachable = "prj-aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
    private const string Unreachable = "prj-bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
    private readonly string root = Directory.CreateTempSubdirectory("bo-health-").FullName;
    private SandboxServer sandbox = null!;

    public async ValueTask InitializeAsync() =>
        sandbox = await SandboxServer.StartAsync(new SandboxOptions { ApiKey = Key, AllowedProjectIds = [Reachable] }, Ct);

    public async ValueTask DisposeAsync()
    {
        await sandbox.DisposeAsync();
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task Readiness_AsksEveryConfiguredProject_AndNamesTheOneThatRefuses()
    {
        var refused = await CheckAsync(Reachable, Unreachable);
        var ready = await CheckAsync(Reachable, null);

        Assert.Equal(HealthStatus.Unhealthy, refused.Status);
        Assert.Contains($"project {Unreachable}", refused.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(Reachable, refused.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, ready.Status);
        Assert.Equal("LlamaCloud answers in all 2 projects", ready.Description);
        using var admin = new SandboxAdmin(sandbox.BaseAddress);
        var asked = await admin.MapAsync("requests_by_project_param");
        Assert.Equal(2, asked[Reachable]);
        Assert.Equal(1, asked[Unreachable]);
        Assert.Equal(1, asked["none"]); // the second source's project is the key's own
    }

    [Fact]
    public async Task ALlamaCloudThatAnsweredAndNoLongerDoes_IsDegraded_NotUnhealthy_AndSaysForHowLongItWaited()
    {
        // Down for everyone: taking the instance out of service would only hide its dashboard and webhook endpoint.
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var health = new HealthOptions { ApiTimeout = TimeSpan.FromSeconds(8) };
        var (answering, notAnswering) = await WithCheckAsync(Reachable, null, health, clock, async check =>
        {
            var first = await check.CheckHealthAsync(new HealthCheckContext(), Ct);
            using var admin = new SandboxAdmin(sandbox.BaseAddress);
            await admin.SetFaultsAsync(new { hold_requests_matching = "^GET /api/v1/beta/directories" });
            health.ApiTimeout = TimeSpan.FromMilliseconds(500);
            clock.Advance(health.ApiCheckInterval);
            var second = await check.CheckHealthAsync(new HealthCheckContext(), Ct);
            await admin.SetFaultsAsync(new { hold_requests_matching = (string?)null });
            return (first, second);
        });

        Assert.Equal(HealthStatus.Healthy, answering.Status);
        Assert.Equal(HealthStatus.Degraded, notAnswering.Status);
        Assert.Contains($"project {Reachable}: LlamaCloud does not answer within 00:00:00.5000000 (Health:ApiTimeout)", notAnswering.Description, StringComparison.Ordinal);
        Assert.EndsWith("; the service waits for it and retries by itself, and stays ready meanwhile", notAnswering.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABaseUrlWhereAWebPageAnswers_IsUnhealthy_NotTakenForLlamaCloudAnswering()
    {
        // The product's web site where its API should be: every request answered 200, with a page, not LlamaCloud's JSON.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = root });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Services.AddSingleton<IHostLifetime, NoopLifetime>();
        await using var page = builder.Build();
        page.Run(context =>
        {
            context.Response.ContentType = "text/html";
            return context.Response.WriteAsync("<html><body>Welcome</body></html>", context.RequestAborted);
        });
        await page.StartAsync(Ct);
        var address = new Uri(page.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");

        var result = await WithCheckAsync(Reachable, null, new HealthOptions(), TimeProvider.System, check => check.CheckHealthAsync(new HealthCheckContext(), Ct), address);
        await page.StopAsync(Ct);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("returned a body that is not valid JSON", result.Description, StringComparison.Ordinal);
        Assert.Contains("LlamaCloud has not answered since this instance started: check LLAMA_CLOUD_BASE_URL", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACheckThatFailsBeforeLlamaCloudEverAnswered_IsUnhealthy_NotTheRegistrationsDegraded()
    {
        var result = await WithCheckAsync(
            Reachable, null, new HealthOptions(), TimeProvider.System, check => check.CheckHealthAsync(new HealthCheckContext(), Ct), apis: new ThrowingApis());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains($"project {Reachable}: LlamaCloud cannot be asked: InvalidOperationException: no client for this project", result.Description, StringComparison.Ordinal);
    }

    private Task<HealthCheckResult> CheckAsync(string first, string? second) =>
        WithCheckAsync(first, second, new HealthOptions(), TimeProvider.System, check => check.CheckHealthAsync(new HealthCheckContext(), Ct));

    private async Task<T> WithCheckAsync<T>(string first, string? second, HealthOptions health, TimeProvider clock, Func<ApiHealthCheck, Task<T>> act, Uri? baseUrl = null, IBatchApis? apis = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = root });
        Directory.CreateDirectory(Path.Combine(root, "a"));
        Directory.CreateDirectory(Path.Combine(root, "b"));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LLAMA_CLOUD_BASE_URL"] = (baseUrl ?? sandbox.BaseAddress).ToString(),
            ["LLAMA_CLOUD_API_KEY"] = Key,
            ["LlamaCloud:MaxRetries"] = "0",
            ["Sources:0:Name"] = "a",
            ["Sources:0:Path"] = "a",
            ["Sources:0:ProjectId"] = first,
            ["Sources:1:Name"] = "b",
            ["Sources:1:Path"] = "b",
            ["Sources:1:ProjectId"] = second,
        });
        builder.AddBatchCore();
        builder.Services.AddSingleton<IProjectPauseStore, MemoryPauseStore>(); // no database here
        await using var services = builder.Services.BuildServiceProvider();
        using var check = new ApiHealthCheck(apis ?? services.GetRequiredService<IBatchApis>(), services.GetRequiredService<ProjectScopes>(), Options.Create(health), clock);
        return await act(check);
    }

    private sealed class ThrowingApis : IBatchApis
    {
        public IBatchApi For(ProjectScope scope) => throw new InvalidOperationException("no client for this project");
    }

    /// <summary>The page's host stops with the test, not on a signal.</summary>
    private sealed class NoopLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

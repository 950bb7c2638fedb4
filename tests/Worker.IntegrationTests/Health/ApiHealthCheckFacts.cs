using BatchOrchestrator.Core.LlamaCloud;
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

    private async Task<HealthCheckResult> CheckAsync(string first, string? second)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = root });
        Directory.CreateDirectory(Path.Combine(root, "a"));
        Directory.CreateDirectory(Path.Combine(root, "b"));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LLAMA_CLOUD_BASE_URL"] = sandbox.BaseAddress.ToString(),
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
        builder.Services.AddOptions<HealthOptions>();
        builder.Services.AddSingleton<ApiHealthCheck>();
        await using var services = builder.Services.BuildServiceProvider();
        return await services.GetRequiredService<ApiHealthCheck>().CheckHealthAsync(new HealthCheckContext(), Ct);
    }
}

using BatchOrchestrator.Core.LlamaCloud;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Health;

/// <summary>
/// Ready only when LlamaCloud answers an authenticated request (a directory lookup by a name that never
/// exists). Probes come every few seconds, so an answer is reused for <see cref="HealthOptions.ApiCheckInterval"/>
/// to stay far below the API's rate limit.
/// </summary>
internal sealed class ApiHealthCheck(IServiceScopeFactory scopes, IOptions<HealthOptions> options, TimeProvider time) : IHealthCheck, IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private (HealthCheckResult Result, DateTimeOffset At)? last;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            if (last is { } cached && now - cached.At < options.Value.ApiCheckInterval)
            {
                return cached.Result;
            }

            var result = await ProbeAsync(cancellationToken);
            last = (result, now);
            return result;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<HealthCheckResult> ProbeAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var api = scope.ServiceProvider.GetRequiredService<IBatchApi>();
        try
        {
            await api.FindDirectoryByNameAsync("batchorchestrator-readiness-probe", cancellationToken);
            return HealthCheckResult.Healthy("LlamaCloud answers");
        }
        catch (LlamaCloudRejectedException ex) when (ex.ErrorClass == ApiErrorClass.Auth)
        {
            return HealthCheckResult.Unhealthy("LlamaCloud refuses the API key (401/403): check LLAMA_CLOUD_API_KEY or LlamaCloud:ApiKeyFile");
        }
        catch (LlamaCloudException ex)
        {
            return HealthCheckResult.Unhealthy($"LlamaCloud does not answer: {ex.GetType().Name}");
        }
    }

    public void Dispose() => gate.Dispose();
}

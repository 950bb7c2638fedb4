using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Sources;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Health;

/// <summary>
/// Ready only when LlamaCloud answers an authenticated request (a directory lookup by a name that never
/// exists) in every project the sources work in: a key that cannot reach one of them is a broken
/// configuration. Probes come every few seconds, so an answer is reused for
/// <see cref="HealthOptions.ApiCheckInterval"/> to stay far below the API's rate limits.
/// </summary>
/// <param name="inProcessSandbox">Registered only when no key and no base URL are set (SandboxMode): then what answers is
/// the Sandbox, and the check says so, as start-up's warning does, rather than "LlamaCloud answers".</param>
internal sealed class ApiHealthCheck(
    IBatchApis apis, ProjectScopes scopes, IOptions<HealthOptions> options, TimeProvider time, BatchOrchestrator.Sandbox.SandboxOptions? inProcessSandbox = null)
    : IHealthCheck, IDisposable
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

            var result = await ProbeAllAsync(cancellationToken);
            last = (result, now);
            return result;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<HealthCheckResult> ProbeAllAsync(CancellationToken cancellationToken)
    {
        // At once, not one after another: the check has one timeout for all of them.
        var configured = scopes.Configured();
        var answers = await Task.WhenAll(configured.Select(scope => ProbeAsync(scope, cancellationToken)));
        var failures = configured.Zip(answers)
            .Where(p => p.Second is not null)
            .Select(p => configured.Count == 1 && p.First == ProjectScope.Default ? p.Second! : $"project {p.First.Key}: {p.Second}")
            .ToList();

        var who = inProcessSandbox is null ? "LlamaCloud" : "the in-process Sandbox";
        var aside = inProcessSandbox is null ? "" : $" (no {LlamaCloudKey.ApiKeyVariable}: nothing is sent to LlamaCloud)";
        return failures.Count == 0
            ? HealthCheckResult.Healthy(configured.Count == 1 ? $"{who} answers{aside}" : $"{who} answers in all {configured.Count} projects{aside}")
            : HealthCheckResult.Unhealthy(string.Join("; ", failures));
    }

    private async Task<string?> ProbeAsync(ProjectScope scope, CancellationToken cancellationToken)
    {
        try
        {
            await apis.For(scope).FindDirectoryByNameAsync("batchorchestrator-readiness-probe", cancellationToken);
            return null;
        }
        catch (LlamaCloudRejectedException ex) when (ex.ErrorClass == ApiErrorClass.Auth)
        {
            return "LlamaCloud refuses the API key (401/403): check LLAMA_CLOUD_API_KEY or LlamaCloud:ApiKeyFile, and the project and organisation ids";
        }
        catch (LlamaCloudException ex)
        {
            return $"LlamaCloud does not answer: {ex.GetType().Name}";
        }
    }

    public void Dispose() => gate.Dispose();
}

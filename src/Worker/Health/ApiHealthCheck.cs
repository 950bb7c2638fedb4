using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Sources;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Health;

/// <summary>
/// Asks LlamaCloud an authenticated request (a directory lookup by a name that never exists) in every project the
/// sources work in. A refusal (the key, or a project it cannot reach) is a broken configuration of this instance:
/// Unhealthy, so <c>/readyz</c> answers 503 and a rollout does not go on with it. So is a LlamaCloud that has not answered
/// once since this instance started (a wrong base URL, no network path to it). LlamaCloud that answered and no longer does
/// (down, busy, unreachable; or not within <see cref="HealthOptions.ApiTimeout"/>) is Degraded, and <c>/readyz</c> still
/// answers 200: no instance can do better, the pipeline waits and retries by itself, and taking every instance out of
/// service would only hide the dashboard, the metrics and the webhook endpoint while an operator most needs them. Probes
/// come every few seconds, so an answer is reused for <see cref="HealthOptions.ApiCheckInterval"/> to stay far below the
/// API's rate limits.
/// </summary>
/// <param name="inProcessSandbox">Registered only when no key and no base URL are set (SandboxMode): then what answers is
/// the Sandbox, and the check says so, as start-up's warning does, rather than "LlamaCloud answers".</param>
internal sealed class ApiHealthCheck(
    IBatchApis apis, ProjectScopes scopes, IOptions<HealthOptions> options, TimeProvider time, BatchOrchestrator.Sandbox.SandboxOptions? inProcessSandbox = null)
    : IHealthCheck, IDisposable
{
    /// <summary>How long the health service lets the check run (its registration's timeout).</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim gate = new(1, 1);
    private (HealthCheckResult Result, DateTimeOffset At)? last;
    private bool answeredOnce;

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
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.ApiTimeout);
        var answers = await Task.WhenAll(configured.Select(scope => ProbeAsync(scope, timeout.Token, cancellationToken)));
        var failures = configured.Zip(answers)
            .Where(p => p.Second is not null)
            .Select(p => (Text: configured.Count == 1 && p.First == ProjectScope.Default ? p.Second!.Value.Text : $"project {p.First.Key}: {p.Second!.Value.Text}", p.Second!.Value.Refused))
            .ToList();
        answeredOnce |= answers.Any(a => a is null or { Answered: true }); // its own answer, or an error status: it is there

        var who = inProcessSandbox is null ? "LlamaCloud" : "the in-process Sandbox";
        var aside = inProcessSandbox is null ? "" : $" (no {LlamaCloudKey.ApiKeyVariable}: nothing is sent to LlamaCloud)";
        if (failures.Count == 0)
        {
            return HealthCheckResult.Healthy(configured.Count == 1 ? $"{who} answers{aside}" : $"{who} answers in all {configured.Count} projects{aside}");
        }

        var description = string.Join("; ", failures.Select(f => f.Text));
        return failures.Any(f => f.Refused) ? HealthCheckResult.Unhealthy(description)
            : !answeredOnce ? HealthCheckResult.Unhealthy(description + $"; {who} has not answered since this instance started"
                + (inProcessSandbox is null ? $": check {LlamaCloudKey.BaseUrlVariable} and the network path to it (a proxy, an egress policy)" : ""))
            : HealthCheckResult.Degraded(description + "; the service waits for it and retries by itself, and stays ready meanwhile");
    }

    /// <summary>
    /// Null when the project answers; else what went wrong, whether LlamaCloud refused (a configuration to fix), and whether an
    /// answer came that shows it there (an error status: a 5xx, a 429; none, or a 2xx that is not its JSON, may be this
    /// instance's URL or network).
    /// </summary>
    private async Task<(string Text, bool Refused, bool Answered)?> ProbeAsync(ProjectScope scope, CancellationToken timeout, CancellationToken cancellationToken)
    {
        try
        {
            await apis.For(scope).FindDirectoryByNameAsync("batchorchestrator-readiness-probe", timeout);
            return null;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return ($"LlamaCloud does not answer within {options.Value.ApiTimeout} ({HealthOptions.SectionName}:ApiTimeout)", false, false);
        }
        catch (LlamaCloudRejectedException ex) when (ex.ErrorClass == ApiErrorClass.Auth)
        {
            return ("LlamaCloud refuses the API key (401/403): check LLAMA_CLOUD_API_KEY or LlamaCloud:ApiKeyFile, and the project and organisation ids", true, true);
        }
        catch (LlamaCloudRejectedException ex)
        {
            return ($"LlamaCloud refuses the request (HTTP {(int?)ex.StatusCode}): check the project and organisation ids", true, true);
        }
        catch (LlamaCloudException ex)
        {
            // A 2xx whose body is not LlamaCloud's (a web page where the API should be) is no sign of it; a status it refuses
            // with (a 408, a 429, a 5xx, a quota's 403) is LlamaCloud there and unwell. Before any such answer: a wrong base URL.
            return ($"LlamaCloud does not answer: {ex.Message}", false, ex.StatusCode is { } status && (int)status is < 200 or >= 300);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Thrown out of the check, it would take the registration's status, Degraded, whether or not LlamaCloud ever answered.
            return ($"LlamaCloud cannot be asked: {ex.GetType().Name}: {ex.Message}", false, false);
        }
    }

    public void Dispose() => gate.Dispose();
}

using BatchOrchestrator.Core.LlamaCloud;
using Microsoft.Extensions.Hosting;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// Says once, at start-up, that sources using a v1 job type talk to the legacy v1 batch-processing group:
/// the TypeScript SDK has it up to 2.13.0 and not from 2.15.0 on, and no source says whether the service
/// still answers it (docs/llamacloud-api.md §3, §11.6).
/// </summary>
internal sealed class V1LegacyNotice(IOptions<SourcesOptions> sources, ILogger<V1LegacyNotice> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var legacy = sources.Value.Sources.Where(s => BatchJobTypes.IsV1(s.JobType)).Select(s => s.Name).ToList();
        if (legacy.Count > 0)
        {
            logger.LogWarning(
                "Sources {Sources} use a v1 job type: /api/v1/beta/batch-processing is a legacy endpoint group, last in the official SDK at 2.13.0 and gone from 2.15.0 on; it may stop answering. Prefer parse_v2 or extract_v2",
                string.Join(", ", legacy));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

using BatchOrchestrator.Core.Cleanup;
using Hangfire;

namespace BatchOrchestrator.Worker.Jobs;

/// <summary>
/// One remote-hygiene run over every due artefact of the cluster (docs/remote-hygiene.md): a job per
/// tick, never per file. Runs on several instances at once are harmless: each claims other rows.
/// </summary>
internal sealed class CleanRemoteJob(RemoteCleaner cleaner)
{
    [JobDisplayName("Clean up remote artefacts")]
    [AutomaticRetry(Attempts = 0)] // the next tick is the retry; claims not saved come due again
    public Task RunAsync(CancellationToken cancellationToken) => cleaner.RunAsync(cancellationToken);
}

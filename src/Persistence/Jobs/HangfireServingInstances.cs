using BatchOrchestrator.Core.Pipeline;
using Hangfire.PostgreSql;

namespace BatchOrchestrator.Persistence.Jobs;

/// <summary>The Hangfire servers whose heartbeat is recent, read from the job storage every instance shares.</summary>
internal sealed class HangfireServingInstances(PostgreSqlStorage storage, TimeProvider time) : IServingInstances
{
    // Hangfire servers beat every 30 s by default; three missed beats and a server is taken for gone.
    private static readonly TimeSpan LiveServerHeartbeat = TimeSpan.FromSeconds(90);

    public Task<int> CountAsync(CancellationToken cancellationToken) => Task.FromResult(LiveServerNames().Count);

    public IReadOnlyList<string> LiveServerNames()
    {
        var since = time.GetUtcNow().UtcDateTime - LiveServerHeartbeat;
        return [.. storage.GetMonitoringApi().Servers().Where(s => s.Heartbeat is { } beat && beat >= since).Select(s => s.Name).Order(StringComparer.Ordinal)];
    }
}

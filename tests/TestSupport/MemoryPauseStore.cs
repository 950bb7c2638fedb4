using System.Collections.Concurrent;
using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.TestSupport;

/// <summary>The pauses table in memory, for hosts that wire the LlamaCloud client without a database (the client's own tests).</summary>
public sealed class MemoryPauseStore : IProjectPauseStore
{
    private readonly ConcurrentDictionary<(string Project, PauseReason Reason), ProjectPause> rows = new();

    Task<IReadOnlyList<ProjectPause>> IProjectPauseStore.ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ProjectPause>>([.. rows.Values]);

    Task<bool> IProjectPauseStore.PauseAsync(ProjectScope scope, PauseReason reason, DateTimeOffset nextProbeAt, string? error, CancellationToken cancellationToken)
    {
        var started = false;
        rows.AddOrUpdate(
            (scope.Key, reason),
            _ =>
            {
                started = true;
                return new ProjectPause(scope, reason, DateTimeOffset.UtcNow, nextProbeAt, error);
            },
            (_, old) => old with { NextProbeAt = nextProbeAt, LastError = error });
        return Task.FromResult(started);
    }

    Task<bool> IProjectPauseStore.ResumeAsync(string project, PauseReason reason, CancellationToken cancellationToken) =>
        Task.FromResult(rows.TryRemove((project, reason), out _));

    Task<bool> IProjectPauseStore.ClaimProbeAsync(string project, PauseReason reason, DateTimeOffset nextProbeAt, CancellationToken cancellationToken)
    {
        var key = (project, reason);
        while (rows.TryGetValue(key, out var row) && row.NextProbeAt <= DateTimeOffset.UtcNow)
        {
            if (rows.TryUpdate(key, row with { NextProbeAt = nextProbeAt }, row))
            {
                return Task.FromResult(true);
            }
        }

        return Task.FromResult(false);
    }
}

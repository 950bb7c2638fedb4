using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Operations;

/// <summary>
/// Gives a source's whole record (looks, versions, copies, runs, batches, charges, results, its mirror's directory) to a
/// new Name, so that the source configured under that Name takes it up: nothing it processed is sent or billed again
/// (docs/sources.md, "A source is its Name"). Both names' run leases are held throughout, as a run holds them, so no
/// run of either is under way while the rows move; the store refuses while a step holds one of the old name's batches.
/// </summary>
internal sealed class SourceRenaming(
    IOptionsMonitor<SourcesOptions> sources,
    ISourceRenameStore store,
    LeaseManager leases,
    IRunStore runs,
    IPipelineScheduler scheduler,
    ILogger<SourceRenaming> logger)
{
    public async Task<SourceRename> RenameAsync(string from, string to, bool dryRun, CancellationToken cancellationToken)
    {
        if (string.Equals(from, to, StringComparison.Ordinal))
        {
            throw new ArgumentException($"<old> and <new> are both '{from}'");
        }

        // A service still configured with the old Name would scan it as a source of no record at its next trigger,
        // and send and bill every file again under the name just emptied.
        var configured = sources.CurrentValue.Find(from) is null
            ? null
            : $"Sources still has a source named '{from}': give it the Name '{to}' first (a service still running '{from}' would send and bill each of its files again under the old Name), then rename";
        var (result, heldFrom, heldTo) = await RenameHeldAsync(from, to, dryRun, configured, cancellationToken);

        // As a run does once it lets its lease go: a trigger of the new name while the rename held it was kept, and runs now.
        if (heldTo && await runs.TakeRerunRequestAsync(to, cancellationToken))
        {
            scheduler.EnqueueRun(to, RunTrigger.Rerun);
        }

        // So does one of the old name, when nothing moved (a dry run, a refusal): a service still running it kept its
        // trigger for the lease's holder to take, and nothing else would (moved, it went to the new name with the record).
        if (heldFrom && !result.Moved && await runs.TakeRerunRequestAsync(from, cancellationToken))
        {
            scheduler.EnqueueRun(from, RunTrigger.Rerun);
        }

        if (result.Unknown)
        {
            throw new ArgumentException($"there is no record of a source named '{from}' ('status' lists the sources configured; names are case-sensitive)");
        }

        if (result.Moved)
        {
            logger.LogWarning(
                "The record of source {From} ({Versions} file versions, {Runs} runs) was given to {To} by an operator: the source of that Name takes it up",
                from, Count(result, "file_version"), Count(result, "run"), to);
        }

        return result;
    }

    /// <summary>Under both names' run leases; also says which were held, so a trigger kept meanwhile is this rename's to hand on.</summary>
    private async Task<(SourceRename Result, bool HeldFrom, bool HeldTo)> RenameHeldAsync(string from, string to, bool dryRun, string? configured, CancellationToken cancellationToken)
    {
        await using var fromLease = await leases.TryHoldAsync(SourceLease.Name(from), cancellationToken);
        await using var toLease = await leases.TryHoldAsync(SourceLease.Name(to), cancellationToken);
        var held = (fromLease, toLease) switch
        {
            (null, _) => $"a run of '{from}' is in progress; rename once it has ended ('status' shows it)",
            (_, null) => $"a run of '{to}' is in progress, so '{to}' is making a record of its own; rename before it first runs",
            _ => null,
        };
        var refused = configured ?? held;
        var result = await store.RenameAsync(from, to, dryRun || refused is not null, cancellationToken);
        return (refused is null ? result : result with { RefusedBecause = refused }, fromLease is not null, toLease is not null);
    }

    private static long Count(SourceRename rename, string table) => rename.Rows.FirstOrDefault(r => r.Table == table).FromRows;
}

using System.Collections.Concurrent;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Planning;

/// <summary>
/// Says once per source, at its first Mirror planning since the start, how many files it processed in PerRun batches
/// are outside its mirror: a source switched from PerRun to Mirror starts an empty mirror that takes only files new or
/// changed since (docs/sources.md, "A source is its Name"), so those files are never in a mirror batch, nor
/// parsed again under a later configuration, and nothing else would say so.
/// </summary>
internal sealed class MirrorSwitchNotice(IBatchPlanStore store, ILogger<MirrorSwitchNotice> logger)
{
    private readonly ConcurrentDictionary<string, bool> looked = new(StringComparer.Ordinal);

    public async Task WarnOnceAsync(SourceOptions source, CancellationToken cancellationToken)
    {
        if (source.Layout != RemoteLayout.Mirror || looked.ContainsKey(source.Name))
        {
            return;
        }

        var outside = await store.CountProcessedOutsideMirrorAsync(source.Name, cancellationToken);
        if (!looked.TryAdd(source.Name, true) || outside == 0)
        {
            return;
        }

        logger.LogWarning(
            "Source {Source} is a Mirror now, but {Count} {Files} it processed before are outside its mirror (processed in PerRun batches): "
            + "the mirror takes only files new or changed since the switch, so these are in no mirror batch, nor parsed again under a later "
            + "configuration. To have the mirror hold them, move their mtimes (touch -m): each is hashed again, sent and billed once more (docs/sources.md)",
            source.Name, outside, outside == 1 ? "file" : "files");
    }
}

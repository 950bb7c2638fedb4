using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// The follow-up's hand-over to sinks: which sinks a source's results go to, and every finished result of a
/// chunk written to each of them; a sink that refuses the chunk is tried one result at a time, so one bad
/// result costs only itself.
/// </summary>
internal sealed class FollowUpDelivery(
    IEnumerable<IFollowUpSink> sinks,
    IFollowUpStore store,
    IOptionsMonitor<SourcesOptions> sources,
    IOptions<FollowUpOptions> options,
    ILogger<FollowUpDelivery> logger)
{
    public List<IFollowUpSink> SinksFor(string source)
    {
        var names = options.Value.SinksFor(sources.CurrentValue.Find(source));
        var byName = sinks.ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);
        var missing = names.Where(n => !byName.ContainsKey(n)).ToList();
        if (missing.Count > 0)
        {
            // Validated at start-up; reaching here means a source was reconfigured while running.
            throw new InvalidOperationException($"Follow-up sinks not registered: {string.Join(", ", missing)}");
        }

        return [.. names.Select(n => byName[n])];
    }

    /// <summary>
    /// Hands every finished result of the chunk to each sink, under its own path and under each copy's; returns the
    /// deliveries some sink refused, with why, and the copies' deliveries a later batch's result overtook (never written there).
    /// </summary>
    public async Task<SinkWrites> WriteAsync(List<IFollowUpSink> selected, JobLook[] looks, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<Delivery, string>();
        var done = looks.Where(l => l.Document is not null).SelectMany(CopyDeliveries.Of).ToList();
        if (done.Count == 0)
        {
            return new SinkWrites(errors, new HashSet<Delivery>());
        }

        // Superseded was read as the look began, and a look lasts as long as its fetches (a frozen holder's, past its lease, for
        // ever): a newer version's follow-up, or a later batch's of this same version, may have delivered to the path since. Asked
        // again just before writing, under the path locks, so the older result does not overwrite it.
        var asked = done.Where(d => d.Delivery.CopyId is null && !d.Document.Superseded).Select(d => d.Delivery.ResultId).ToList();
        var copied = done.Where(d => d.Delivery.CopyId is not null).Select(d => d.Delivery).ToList();
        var overtaken = new HashSet<Delivery>();
        if (asked.Count + copied.Count > 0 && await store.OvertakenAsync(asked, copied, cancellationToken) is var now
            && now.Superseded.Count + now.Copies.Count > 0)
        {
            // A copy's path holds its version's content, so only that version sent again can overtake its result (the later batch's
            // result went to the copy too, and stays), or the path holding other content since, a copy of another version now,
            // whose result goes there (docs/pipeline.md, "Follow-up sinks").
            // Neither is handed to a sink: the PostgreSQL sink keeps a row per version and path, and a copy re-pointed to another
            // version would get a row of the old one beside the new one's.
            overtaken.UnionWith(now.Copies);
            done = [.. done.Where(d => !overtaken.Contains(d.Delivery))
                .Select(d => d.Delivery.CopyId is null && now.Superseded.Contains(d.Delivery.ResultId) ? (d.Delivery, d.Document with { Superseded = true }) : d)];
        }

        // A sink's own timeout (HttpClient's is a TaskCanceledException) is the sink refusing, not this look being stopped: only
        // this look's token cancelled passes through. Let through, it left the chunk unsaved and the batch handed out again every
        // claim, the same results written again each time and the attempts never counted.
        foreach (var sink in selected)
        {
            try
            {
                await sink.WriteAsync([.. done.Select(d => d.Document)], cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Sink {Sink} failed on {Count} results ({Reason}); trying them one by one", sink.Name, done.Count, ex.Message);
                foreach (var (delivery, document) in done)
                {
                    try
                    {
                        await sink.WriteAsync([document], cancellationToken);
                    }
                    catch (Exception one) when (!cancellationToken.IsCancellationRequested)
                    {
                        errors[delivery] = $"sink {sink.Name}: {one.Message}";
                    }
                }
            }
        }

        return new SinkWrites(errors, overtaken);
    }
}

/// <summary>What handing a chunk's results to the sinks came to: the deliveries a sink refused, and the copies' deliveries overtaken.</summary>
internal sealed record SinkWrites(Dictionary<Delivery, string> Errors, IReadOnlySet<Delivery> Overtaken);

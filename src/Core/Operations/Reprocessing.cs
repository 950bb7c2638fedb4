using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Operations;

/// <summary>
/// Sends files again after a source's job type, configuration id or v1_parse tier changed, when an operator asks
/// (never automatically: it costs credits again). A preview says how many files were processed under
/// each older fingerprint and how many the filter would send; reprocessing puts exactly those back in
/// the queue and starts a run, so they go through the normal pipeline into new batches under the
/// current configuration, each batch and job reference recorded as usual (the old job references stay
/// in the file's history).
/// </summary>
internal sealed class Reprocessing(
    IOptionsMonitor<SourcesOptions> sources,
    IReprocessStore store,
    IPipelineScheduler scheduler,
    IEnumerable<IReprocessCostEstimator> estimators,
    ILogger<Reprocessing> logger)
{
    public async Task<ReprocessPreview> PreviewAsync(string source, ReprocessFilter filter, CancellationToken cancellationToken) =>
        (await SelectAsync(source, filter, cancellationToken)).Preview;

    /// <summary>
    /// Puts the selected files back in the queue and starts a run; returns the preview it acted on and how
    /// many files it queued. With <paramref name="atMost"/> (the count a person saw in a preview), a selection
    /// that grew since is refused rather than sent.
    /// </summary>
    public async Task<(ReprocessPreview Preview, int Queued)> ReprocessAsync(string source, ReprocessFilter filter, int? atMost, CancellationToken cancellationToken)
    {
        var (preview, ids) = await SelectAsync(source, filter, cancellationToken);
        if (preview.RefusedBecause is not null)
        {
            return (preview, 0);
        }

        if (ids.Count == 0)
        {
            return (atMost > 0 ? preview with { RefusedBecause = GoneSince(atMost.Value) } : preview, 0);
        }

        if (ids.Count > atMost)
        {
            return (preview with { RefusedBecause = $"the selection grew from {atMost} to {ids.Count} files since the preview; look at the preview again" }, 0);
        }

        var queued = await store.RequeueAsync(ids, preview.CurrentFingerprint, cancellationToken);
        if (queued == 0)
        {
            return (preview with { RefusedBecause = GoneSince(ids.Count) }, 0); // taken between the look and the requeue
        }

        scheduler.EnqueueRun(source, RunTrigger.Manual);

        logger.LogInformation(
            "{Count} files of {Source} processed under an older configuration are queued again under {Fingerprint} by an operator ({Filter})",
            queued, source, preview.CurrentFingerprint, filter);
        return (preview, queued);
    }

    /// <summary>
    /// Why nothing was sent though a preview promised some: a second reprocess (another shell, the button pressed twice)
    /// or a run queued them first, or they changed. Said as a refusal, so that no answer claims files and a run queued.
    /// </summary>
    private static string GoneSince(int previewed) => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"none of the {previewed} files the preview selected can be sent now: another reprocess queued them meanwhile, or they changed since; look at the preview again");

    private async Task<(ReprocessPreview Preview, List<long> Ids)> SelectAsync(string source, ReprocessFilter filter, CancellationToken cancellationToken)
    {
        var options = sources.CurrentValue.Require(source);
        if (filter.Problem() is { } problem)
        {
            throw new ArgumentException(problem);
        }

        var current = ConfigurationFingerprint.Of(options);
        var matches = filter.Predicate();
        var under = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var selected = 0;
        var ids = new List<long>();
        await foreach (var candidate in store.CandidatesAsync(source, current, cancellationToken))
        {
            under[candidate.Fingerprint] = under.GetValueOrDefault(candidate.Fingerprint) + 1;
            if (!matches(candidate))
            {
                continue;
            }

            selected++;
            if (candidate.Sendable)
            {
                ids.Add(candidate.FileVersionId);
            }
        }

        var refused = options.Layout switch
        {
            RemoteLayout.PerRun => null,
            // An unchanged mirror is not batched again (every file in it would be billed again): its next batch, when a file changes, uses the new configuration.
            RemoteLayout.Mirror => $"a Mirror source sends every file of its remote directory whenever a run finds a new or changed file, so its next batch already uses {current}",
            _ => $"a {options.Layout} source sends every file of its remote directory with each scheduled or manual run, so its next run already uses {current}: start one with 'Run now'",
        };
        string? cost = null;
        foreach (var estimator in estimators)
        {
            cost ??= await estimator.EstimateAsync(source, ids, cancellationToken);
        }

        return (new ReprocessPreview(source, current, under, selected, ids.Count, cost, refused), ids);
    }
}

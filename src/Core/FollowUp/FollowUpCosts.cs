using BatchOrchestrator.Core.Costs;
using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// What a followed-up job cost: the credits it billed against what was expected (docs/costs.md), a drift
/// reported and the cached price of its configuration expired, and the escalation to the source's fallback
/// configuration when the cheap tier gave nothing usable.
/// </summary>
internal sealed class FollowUpCosts(
    PriceModel prices,
    CostMetrics metrics,
    IConfigurationTierStore tiers,
    IOptionsMonitor<SourcesOptions> sources,
    IOptions<FollowUpOptions> options,
    ILogger<FollowUpCosts> logger)
{
    /// <summary>
    /// Adds what the job billed and, when its job failed or its result is empty and the source names a
    /// fallback its version has not had yet, the escalation: the version goes back to the queue for the
    /// fallback configuration instead of ending Failed (docs/costs.md, "Cheap tier first").
    /// </summary>
    public FollowUpOutcome Costed(FollowUpOutcome outcome, JobLook look, long batchId, string? fallback)
    {
        outcome = outcome with { Charge = Owed(BilledCharge.Of(look, batchId, prices.DriftFactor), look) };
        if (!Escalates(look, fallback))
        {
            return outcome;
        }

        // Nothing of it reached a sink (FollowUpDelivery is not handed it): the reference ends FollowUpFailed with the reason, as
        // one whose job failed does, never FollowedUp, which says its result is in every sink (docs/pipeline.md).
        return outcome with
        {
            State = FollowUpState.FollowUpFailed,
            Escalate = true,
            FileState = FileVersionLifecycle.Escalate.Target,
            FileErrorClass = null,
            Error = look.Kind == LookKind.JobFailed ? $"{look.Error}; sent again with {fallback}" : $"the result was empty; sent again with {fallback}",
        };
    }

    /// <summary>
    /// A job that ended without a bill is owed a first look for it (docs/costs.md, "Late bills"); with no looks set, none:
    /// its estimate is kept at once, and what it read is judged for drift now.
    /// </summary>
    private BilledCharge? Owed(BilledCharge? charge, JobLook look) => charge switch
    {
        { LateBill: true } when options.Value.LateBillLooks == 0 => BilledCharge.Late(look.Item, look.Billing, charge.BatchId, prices.DriftFactor) with { NoUsageReported = true },
        { LateBill: true } => charge with { FirstBillLook = LateBillSchedule.Due(options.Value, 1) },
        _ => charge,
    };

    /// <summary>
    /// Whether the look sends its version to the fallback: its job failed, or finished with an empty result, the source
    /// names a fallback, and the version has not had it yet. Such a result is not delivered to the sinks: the fallback's
    /// result, or its failure, is what the file gets, and a sink never holds the empty one beside it.
    /// </summary>
    public static bool Escalates(JobLook look, string? fallback) =>
        fallback is not null && !look.Item.Escalated && !look.Item.CopiesOnly && look.Item.FileVersionId is not null
        && (look.Kind == LookKind.JobFailed || (look.Kind == LookKind.Finished && look.Empty));

    /// <summary>Counts billed credits and drift once per charge, says which references drifted, and returns how many versions escalate.</summary>
    public async Task<int> ReportAsync(FollowUpWork work, JobLook[] looks, List<FollowUpOutcome> outcomes, CancellationToken cancellationToken)
    {
        for (var i = 0; i < outcomes.Count; i++)
        {
            // A charge an earlier look read was counted (and its drift said) then: a look again after a sink refused the
            // result reads the same bill, and counted again it would add that job's credits once per look.
            if (outcomes[i].Charge is not { } charge || looks[i].Item.SettledBefore)
            {
                continue;
            }

            await ReportAsync(work, looks[i].Item, charge, looks[i].Billing?.ConfigurationId, cancellationToken);
        }

        return outcomes.Count(o => o.Escalate);
    }

    /// <summary>Counts one charge's billed credits and its drift, warns of the drift, and expires the price it drifted from.</summary>
    public async Task ReportAsync(FollowUpWork work, FollowUpItem item, BilledCharge charge, string? configurationId, CancellationToken cancellationToken)
    {
        if (charge.Credits is { } credits)
        {
            metrics.Billed(work.Source, charge.Tier ?? item.PlannedTier ?? "unknown", credits);
        }

        if (charge.Drift is { } drift)
        {
            metrics.Drift(work.Source);
            logger.LogWarning(
                "Cost drift on job {JobId} (file version {FileVersionId}, batch {BatchId}, source {Source}): {Drift}",
                item.JobId, item.FileVersionId, work.BatchId, work.Source, drift);
            // The cached price may be out of date: the saved configuration was changed to another tier, or to one
            // that bills a page above its tier (an auto-mode rule, confidence scored high) while keeping its tier.
            // The next planning reads the configuration the job ran with again: the one it names, else its batch's
            // (an escalated batch ran with the fallback, not the source's own). An estimate short for another
            // reason (the pages) costs that one read and nothing else.
            var configuration = configurationId ?? work.ConfigurationId ?? sources.CurrentValue.Find(work.Source)?.ConfigurationId ?? "";
            await tiers.ExpireAsync(configuration, cancellationToken);
        }
    }
}

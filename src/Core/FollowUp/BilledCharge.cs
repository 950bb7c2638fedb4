using System.Globalization;

namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// What one job reference was billed, to store beside its reservation (docs/costs.md, "Billed"), and
/// why it looks wrong when it does: billed above <c>Costs:DriftFactor</c> times the estimate, or at
/// another tier than the configuration resolved to. <see cref="Credits"/> null: not billed yet (the
/// reservation stays the charge), or, with <see cref="NoUsageReported"/>, never to be known: the job finished
/// and its answer says nothing of usage (a v1 classify job has no usage at all), so the reservation stays the
/// charge for good and the charge counts as settled, not as waiting for a bill.
/// </summary>
internal sealed record BilledCharge(long BatchId, decimal? Credits, int? Pages, string? Tier, string? Drift, bool NoUsageReported = false)
{
    /// <summary>
    /// The charge of a look. A job that failed or was cancelled and says nothing about usage is taken as
    /// billed nothing (a guess: no source says whether failed jobs are billed).
    /// </summary>
    public static BilledCharge? Of(JobLook look, long batchId, decimal driftFactor)
    {
        if (look.Billing is not { } billing)
        {
            // Nothing to read, not even the usage block: a job that ended failed or cancelled is settled all the same,
            // or its reservation would hold cap room for good; one still running is billed at a later look.
            return look.Kind switch
            {
                LookKind.JobFailed or LookKind.JobCancelled => new BilledCharge(batchId, 0m, null, null, null),
                LookKind.Finished => new BilledCharge(batchId, null, null, null, null, NoUsageReported: true),
                _ => null,
            };
        }

        var credits = billing.Credits ?? (look.Kind is LookKind.JobFailed or LookKind.JobCancelled ? 0m : null);
        return new BilledCharge(
            batchId, credits, billing.Pages, billing.Tier, DriftOf(look.Item, billing, credits, driftFactor), NoUsageReported: credits is null && look.Kind == LookKind.Finished);
    }

    private static string? DriftOf(FollowUpItem item, JobBilling billing, decimal? credits, decimal factor)
    {
        var reasons = new List<string>(2);
        if (credits is { } billed && item.Estimate is { } estimate && billed > estimate * factor)
        {
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"billed {billed:0.##} credits, more than {factor:0.##} x the estimate of {estimate:0.##}"));
        }

        if (billing.Tier is { } tier && item.PlannedTier is { } planned && planned != "unknown" && !string.Equals(tier, planned, StringComparison.OrdinalIgnoreCase))
        {
            reasons.Add($"billed at tier {tier}, configured {planned}");
        }

        return reasons.Count == 0 ? null : string.Join("; ", reasons);
    }
}

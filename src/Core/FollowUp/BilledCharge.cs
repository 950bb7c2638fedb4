using System.Globalization;

namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// What one job reference was billed, to store beside its reservation (docs/costs.md, "Billed"), and
/// why it looks wrong when it does: billed above <c>Costs:DriftFactor</c> times the estimate, or at
/// another tier than the configuration resolved to. <see cref="Credits"/> null: not billed yet (the
/// reservation stays the charge). With <see cref="LateBill"/>, the job has ended but LlamaCloud had not recorded its
/// bill yet ("Null until billing has recorded it"): the follow-up looks again for it (docs/costs.md, "Late bills").
/// With <see cref="NoUsageReported"/>, never to be known: the job finished and its answer has no usage at all (a v1
/// classify job), so the reservation stays the charge for good and the charge counts as settled.
/// </summary>
internal sealed record BilledCharge(
    long BatchId, decimal? Credits, int? Pages, string? Tier, string? Drift, bool NoUsageReported = false, bool LateBill = false)
{
    /// <summary>For a <see cref="LateBill"/>: how long after this look the first look for the bill is due.</summary>
    public TimeSpan? FirstBillLook { get; init; }

    /// <summary>
    /// The charge of a look. A job that was cancelled and says nothing about usage is taken as billed nothing (a guess:
    /// no source says). A failed job is not: the SDK gives a FAILED job the same usage as any ("Null until billing has
    /// recorded it"), and a parse job fails only once more than its allowed share of pages failed (5% by default), so
    /// the pages it did parse may be billed (docs/llamacloud-api.md §1.7, §6.2): its bill is looked for as a late one.
    /// </summary>
    public static BilledCharge? Of(JobLook look, long batchId, decimal driftFactor)
    {
        if (look.Billing is not { } billing)
        {
            // Nothing to read, not even the usage block: a job that ended is settled all the same, or its reservation
            // would hold cap room for good; one still running is billed at a later look. A failed job known from the
            // jobs' list (which carries no usage) was not fetched: a later look reads its bill.
            return look.Kind switch
            {
                LookKind.JobCancelled => new BilledCharge(batchId, 0m, null, null, null),
                LookKind.JobFailed => new BilledCharge(batchId, null, null, null, null, LateBill: true),
                LookKind.Finished => new BilledCharge(batchId, null, null, null, null, NoUsageReported: true),
                _ => null,
            };
        }

        var credits = billing.Credits ?? (look.Kind == LookKind.JobCancelled ? 0m : null);
        return credits is null && look.Kind is LookKind.Finished or LookKind.JobFailed
            ? new BilledCharge(batchId, null, billing.Pages, billing.Tier, null, LateBill: true) // its drift is judged once, when the bill comes
            : new BilledCharge(batchId, credits, billing.Pages, billing.Tier, DriftOf(look.Item, billing, credits, driftFactor));
    }

    /// <summary>
    /// What a look for a late bill read (docs/costs.md, "Late bills"): the bill, or none yet; its drift judged, to be said
    /// only by the write that settles the charge.
    /// </summary>
    public static BilledCharge Late(FollowUpItem item, JobBilling? billing, long batchId, decimal driftFactor) =>
        new(batchId, billing?.Credits, billing?.Pages, billing?.Tier, billing is null ? null : DriftOf(item, billing, billing.Credits, driftFactor));

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

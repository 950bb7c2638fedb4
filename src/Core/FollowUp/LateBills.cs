using System.Globalization;
using BatchOrchestrator.Core.Costs;
using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// Looks for the bills of jobs that ended before LlamaCloud recorded them (docs/costs.md, "Late bills"), in the batch's
/// own follow-up: no job of its own, one request per job and look. A bill that came replaces the estimate in the ledger,
/// and so in every cap window that counts it, is counted in the billed-credits metric and checked for drift, once. After
/// the last look the estimate stays the charge, and that is said once: a warning, and the charge is marked on the Costs
/// page ("Bill never came").
/// </summary>
internal sealed class LateBills(
    JobResults results,
    IFollowUpStore store,
    FollowUpCosts costs,
    PriceModel prices,
    IOptions<FollowUpOptions> options,
    ILogger<LateBills> logger)
{
    /// <summary>Makes every look of <paramref name="work"/> that is due for a late bill, and writes what they found.</summary>
    public async Task LookAsync(FollowUpWork work, Leases.Lease fence, CancellationToken cancellationToken)
    {
        // A reference still waiting reads its bill in its own look; these have ended, and are here for the bill alone.
        var due = work.Items.Where(i => i is { BillDue: true, CopiesOnly: true, FileVersionId: not null }).ToList();
        if (due.Count == 0)
        {
            return;
        }

        var settings = options.Value;
        var found = new List<(FollowUpItem Item, LateBillOutcome Bill, string? ConfigurationId)>(due.Count);
        foreach (var item in due)
        {
            var (billing, more) = await ReadAsync(work, item, cancellationToken);
            var charge = BilledCharge.Late(item, billing, work.BatchId, prices.DriftFactor);
            var next = charge.Credits is null && more && item.BillLooks + 1 < settings.LateBillLooks
                ? LateBillSchedule.Due(settings, item.BillLooks + 2)
                : (TimeSpan?)null;
            // Still open, it carries no drift yet: judged (and said) once, by the look that settles it.
            found.Add((item, new LateBillOutcome(item.FileVersionId!.Value, next is null ? charge : charge with { Drift = null }, next), billing?.ConfigurationId));
        }

        var settled = await store.SaveBillsAsync([.. found.Select(f => f.Bill)], fence, cancellationToken);
        foreach (var (item, bill, configurationId) in found.Where(f => settled.Contains(f.Bill.FileVersionId)))
        {
            if (bill.Kept)
            {
                logger.LogWarning(
                    "No bill for job {JobId} ({Path}, file version {FileVersionId}, batch {BatchId}, source {Source}) came within {Window} after it ended ({Looks} looks): its estimate of {Estimate} credits stays its charge",
                    item.JobId, item.RelativePath, item.FileVersionId, work.BatchId, work.Source, settings.LateBillWindow, item.BillLooks + 1,
                    item.Estimate?.ToString("0.##", CultureInfo.InvariantCulture) ?? "unknown");
            }
            else
            {
                logger.LogInformation(
                    "Job {JobId} ({Path}, batch {BatchId}) was billed {Credits} credits after it ended; the ledger and the caps count that instead of the estimate of {Estimate}",
                    item.JobId, item.RelativePath, work.BatchId, bill.Charge.Credits, item.Estimate);
            }

            await costs.ReportAsync(work, item, bill.Charge, configurationId, cancellationToken);
        }
    }

    /// <summary>The job's billing now, and whether a later look may still find its bill (not when LlamaCloud no longer has the job).</summary>
    private async Task<(JobBilling? Billing, bool More)> ReadAsync(FollowUpWork work, FollowUpItem item, CancellationToken cancellationToken)
    {
        try
        {
            var billing = await results.BillingAsync(work, item, cancellationToken);
            return (billing, billing is not null);
        }
        catch (LlamaCloudRejectedException ex) when (ex.IsNotFound)
        {
            return (null, false); // deleted or expired: its bill can no longer be read
        }
        catch (LlamaCloudException ex)
        {
            // The look failed: it counts as one all the same, so the looks stay bounded; the next may succeed.
            logger.LogInformation("Looking for the bill of job {JobId} (batch {BatchId}) failed: {Reason}", item.JobId, work.BatchId, ex.Message);
            return (null, true);
        }
    }
}

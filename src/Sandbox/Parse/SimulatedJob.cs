using BatchOrchestrator.Sandbox.Webhooks;

namespace BatchOrchestrator.Sandbox.Parse;

/// <summary>
/// What parse and extract jobs share: a document snapshot, a status machine
/// PENDING → RUNNING → COMPLETED | FAILED (| CANCELLED) moved by the processing loop, and a
/// failure decided at creation from the seeded fault settings.
/// </summary>
internal abstract class SimulatedJob : ProjectResource
{
    public required StoredContent Source { get; init; }

    /// <summary>The error this job will end with; null when it will succeed.</summary>
    public string? PlannedFailure { get; init; }

    /// <summary>Completes with empty content (a fault), and is billed all the same.</summary>
    public bool PlannedEmpty { get; init; }

    public IReadOnlyList<WebhookTarget> Webhooks { get; init; } = [];

    private int usageUnrecordedReads;

    /// <summary>Reads of its usage after it ended that find the bill not yet recorded (<c>Sandbox:Guesses:UsageRecordedAfterReads</c>).</summary>
    public int UsageUnrecordedReads
    {
        init => usageUnrecordedReads = value;
    }

    /// <summary>What billing charged when the job completed (null before; a failed job is billed nothing unless <c>BillFailedJobs</c>).</summary>
    public decimal? BilledCredits { get; set; }

    public int? BilledPages { get; set; }

    public string? BilledTier { get; set; }

    public string Status { get; set; } = JobStatus.Pending;

    public string? ErrorMessage { get; set; }

    public int RunningStepsLeft { get; set; }

    public long LastStep { get; set; }

    public required DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Whether this read of the ended job's usage finds its bill recorded; a read that does not counts down the reads left.</summary>
    public bool UsageRecordedOnThisRead()
    {
        while (true)
        {
            var left = Volatile.Read(ref usageUnrecordedReads);
            if (left <= 0)
            {
                return true;
            }

            if (Interlocked.CompareExchange(ref usageUnrecordedReads, left - 1, left) == left)
            {
                return false;
            }
        }
    }

    /// <summary>"parse" or "extract": the webhook event prefix.</summary>
    public abstract string Product { get; }
}

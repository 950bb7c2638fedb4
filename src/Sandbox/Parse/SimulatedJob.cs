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

    /// <summary>What billing charged when the job completed (null before; a failed job is billed nothing).</summary>
    public decimal? BilledCredits { get; set; }

    public int? BilledPages { get; set; }

    public string? BilledTier { get; set; }

    public string Status { get; set; } = JobStatus.Pending;

    public string? ErrorMessage { get; set; }

    public int RunningStepsLeft { get; set; }

    public long LastStep { get; set; }

    public required DateTimeOffset UpdatedAt { get; set; }

    /// <summary>"parse" or "extract": the webhook event prefix.</summary>
    public abstract string Product { get; }
}

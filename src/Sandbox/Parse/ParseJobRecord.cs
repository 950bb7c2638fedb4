namespace BatchOrchestrator.Sandbox.Parse;

/// <summary>A parse v2 job (docs/llamacloud-api.md §6).</summary>
internal sealed class ParseJobRecord : SimulatedJob
{
    public required string Tier { get; init; }

    public string? Name { get; init; }

    public string? ConfigurationId { get; init; }

    public IReadOnlyDictionary<string, string>? UserMetadata { get; init; }

    /// <summary>
    /// Credits each page costs on top of its tier, fixed at creation from its saved configuration: 5 when it scores
    /// confidence high (<c>confidence_score_effort: 'high'</c>, "costs an additional 5 credits per page"; docs/llamacloud-api.md §1.7).
    /// </summary>
    public decimal ExtraCreditsPerPage { get; init; }

    /// <summary>
    /// The tiers its saved configuration's auto-mode rules parse its pages at, fixed at creation (<see cref="Billing.AutoModeRules"/>):
    /// a page is billed at the dearest of these and the job's tier.
    /// </summary>
    public IReadOnlyList<string> RuleTiers { get; init; } = [];

    public override string Product => "parse";

    /// <summary>Completes with its even-numbered pages failed (the failed-pages fault), and is billed all the same.</summary>
    public bool PlannedFailedPages { get; init; }

    /// <summary>Built once, on first read after completion; the source is immutable.</summary>
    public ParseOutput? Output { get; set; }

    /// <summary>
    /// The job as the API shows it: <c>tier</c> is the tier it ran (and was billed) at; <c>usage.credits</c>
    /// with expand=usage is null until it ended and billing has recorded it (<c>Sandbox:Guesses:UsageRecordedAfterReads</c>),
    /// then what it billed: 0 for a failed job unless <c>Sandbox:Guesses:BillFailedJobs</c>, 0 for a cancelled one.
    /// </summary>
    public ParseJobDto ToDto(bool expandUsage)
        => new(Id, ProjectId, Status, Name, BilledTier ?? Tier, ErrorMessage, UserMetadata, expandUsage ? new ParseUsageDto(Usage()) : null, CreatedAt, UpdatedAt);

    private double? Usage() => Status switch
    {
        JobStatus.Completed or JobStatus.Failed => UsageRecordedOnThisRead() ? (double)(BilledCredits ?? 0) : null,
        JobStatus.Cancelled => 0,
        _ => null,
    };
}

namespace BatchOrchestrator.Core.Planning;

/// <summary>
/// What the next run of a source would do (docs/costs.md, "Plan"): files new or changed on disk, files
/// still settling (and apart, what they would cost: the run's second look takes them), versions already waiting, their pages and estimated credits at the configuration's tier,
/// what the caps would hold, the batches, and how long the uploads take at the configured API limit.
/// New content is counted before hashing, so a file whose content is already known is included: the
/// figures are an upper bound.
/// </summary>
internal sealed record PlanReport(
    string Source,
    PlannedTier Tier,
    int Seen,
    int Unchanged,
    int NewOrChanged,
    int Settling,
    decimal SettlingCredits,
    int Waiting,
    long Pages,
    decimal Credits,
    decimal Usd,
    int Taken,
    decimal CreditsReserved,
    int Held,
    string? HeldBy,
    string? HeldCap,
    int Batches,
    TimeSpan UploadEta,
    IReadOnlyList<(CapCheck Cap, decimal Used)> Caps)
{
    /// <summary>
    /// Files seen that the run's scan would set aside with its reason (empty, or over the size limit; docs/sources.md): counted
    /// apart, so that the files seen, as the run counts them, are the unchanged, new or changed, settling and set aside together.
    /// </summary>
    public int SetAside { get; init; }
}

using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.Retries;

namespace BatchOrchestrator.Core.FollowUp;

/// <summary>Job references waiting for their follow-up, per batch, and what each look found.</summary>
internal interface IFollowUpStore
{
    /// <summary>Claims batches whose next follow-up look is due, pushing it out by <paramref name="claimFor"/>.</summary>
    Task<IReadOnlyList<DueFollowUp>> ClaimDueAsync(int max, TimeSpan claimFor, CancellationToken cancellationToken);

    /// <summary>
    /// The batch's job references still waiting (Recorded), and those followed up whose result a copy of their
    /// version still waits for; null if there is no such batch.
    /// </summary>
    Task<FollowUpWork?> GetPendingAsync(long batchId, CancellationToken cancellationToken);

    /// <summary>
    /// Read again, in one round trip, right before a chunk's results go to the sinks, since another version's result, or a
    /// later batch's of their own version, may have reached a path after their batch's work was read: of <paramref name="own"/>,
    /// the job references <see cref="FollowUpItem.Superseded"/> now; of <paramref name="copied"/>, the deliveries to a copy
    /// that must not be written: their version a later batch has delivered since (sent again: reprocessed, retried), where
    /// the later batch's result stands, or the copy no longer of their version (a scan found its path holding other content,
    /// whose version's result goes there).
    /// </summary>
    Task<Overtaken> OvertakenAsync(IReadOnlyList<long> own, IReadOnlyList<Delivery> copied, CancellationToken cancellationToken);

    /// <summary>
    /// Writes every outcome of one chunk, its job references' and its copies', in one round trip, only while the follow-up's lease
    /// still carries <paramref name="fence"/>'s token, else refused whole with <see cref="Leases.LeaseLostException"/>
    /// (docs/reliability.md, "Fencing").
    /// </summary>
    Task SaveAsync(IReadOnlyList<FollowUpOutcome> outcomes, IReadOnlyList<CopyOutcome> copies, Leases.Lease fence, CancellationToken cancellationToken);

    /// <summary>Sets the batch's next look to <paramref name="nextLookAt"/>, or clears it when nothing waits any more; fenced as <see cref="SaveAsync"/>.</summary>
    Task ScheduleNextAsync(long batchId, DateTimeOffset nextLookAt, Leases.Lease fence, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="ScheduleNextAsync"/>, without counting a look: one put back, not made, keeps the back-off where it was. Fenced
    /// when made under the follow-up's lease; <paramref name="fence"/> null outside it (the lease held elsewhere, an operator's command).
    /// </summary>
    Task PutBackAsync(long batchId, DateTimeOffset nextLookAt, Leases.Lease? fence, CancellationToken cancellationToken);

    /// <summary>
    /// Gives job references that ended FollowUpFailed without a verdict on the file (attempts ran out), and copies
    /// whose delivery did, another round; with <paramref name="batchId"/> null, every such one. Returns how many.
    /// </summary>
    Task<int> RetryFailedAsync(long? batchId, CancellationToken cancellationToken);

    /// <summary>
    /// Writes what looks for late bills found (docs/costs.md, "Late bills"), each to a charge still owed its bill; returns
    /// the file versions whose charge this write settled, which alone are counted and said. Fenced as <see cref="SaveAsync"/>.
    /// </summary>
    Task<IReadOnlySet<long>> SaveBillsAsync(IReadOnlyList<LateBillOutcome> bills, Leases.Lease fence, CancellationToken cancellationToken);
}

/// <summary>
/// A look for a job's late bill: <see cref="Charge"/> with credits when it came; else the next look, due
/// <see cref="NextLook"/> after the first look found no bill; else (<see cref="Kept"/>) that was the last look, and the
/// estimate stays the charge for good.
/// </summary>
internal sealed record LateBillOutcome(long FileVersionId, BilledCharge Charge, TimeSpan? NextLook)
{
    public bool Kept => Charge.Credits is null && NextLook is null;
}

/// <summary>
/// A batch's waiting job references, how many looks it has had, the project its jobs run in, and whether an operator
/// here asked to cancel it (a cancelled job of such a batch was cancelled by that wish).
/// </summary>
internal sealed record FollowUpWork(
    long BatchId, string Source, int Checks, IReadOnlyList<FollowUpItem> Items, LlamaCloud.ProjectScope Scope = default, bool CancelRequested = false)
{
    /// <summary>The configuration the batch was sent with (the source's, or its fallback for an escalation); null when not read.</summary>
    public string? ConfigurationId { get; init; }
}

/// <summary>
/// One job reference to look at, with what planning reserved for it (<see cref="Estimate"/> at
/// <see cref="PlannedTier"/>), whether its version was already sent to a fallback configuration, and
/// <see cref="StoredFileId"/>, the stored file behind its directory file, when known. <see cref="Copies"/> are
/// the names with its version's content still waiting for its result; with <see cref="CopiesOnly"/> its own
/// result is in every sink already and the look is for them alone (no state, cost or verdict of its own).
/// </summary>
internal sealed record FollowUpItem(
    long ResultId,
    long? FileVersionId,
    string? RelativePath,
    string SourceDirectoryFileId,
    string JobType,
    string JobId,
    int Attempts,
    bool Superseded,
    string? StoredFileId = null,
    decimal? Estimate = null,
    string? PlannedTier = null,
    bool Escalated = false)
{
    public IReadOnlyList<FileCopy> Copies { get; init; } = [];

    /// <summary>The batches its version has ended in (its <c>process_attempts</c>): whether a failed job leaves it another.</summary>
    public int VersionAttempts { get; init; }

    public bool CopiesOnly { get; init; }

    /// <summary>An operator cancelled this job at LlamaCloud ('cancel jobs'): read CANCELLED, its file is sent again.</summary>
    public bool CancelRequested { get; init; }

    /// <summary>
    /// An earlier look read its job's charge and stored it (a sink then refused the result, so it is looked at again): the
    /// cost metrics counted that charge then, and count it once.
    /// </summary>
    public bool SettledBefore { get; init; }

    /// <summary>Its job ended without a bill, and a look for the bill is due now (docs/costs.md, "Late bills").</summary>
    public bool BillDue { get; init; }

    /// <summary>Looks made for its late bill so far.</summary>
    public int BillLooks { get; init; }

    /// <summary>Here only for its late bill: its reference has ended and no copy waits for its result.</summary>
    public bool BillOnly => CopiesOnly && Copies.Count == 0;
}

/// <summary>
/// A path whose content is a version recorded under another name (DedupeKey ContentHash): never sent again, it
/// is given that version's result under its own path. <see cref="Attempts"/> are its failed deliveries of the
/// current job's result.
/// </summary>
internal sealed record FileCopy(long Id, string RelativePath, int Attempts);

/// <summary>What delivering <see cref="JobId"/>'s result under a copy's name came to, as the follow-up states say it of a job reference.</summary>
internal sealed record CopyOutcome(long CopyId, long FileVersionId, string JobId, FollowUpState State, bool FailedAttempt, string? Error);

/// <summary>
/// What one look decided: the reference's new state, the job's status, whether it counts as a
/// failed attempt, and, when the job itself failed or was cancelled, the file version's new state;
/// what it billed; and whether the version goes once more to the source's fallback configuration.
/// </summary>
internal sealed record FollowUpOutcome(
    long ResultId,
    long? FileVersionId,
    FollowUpState State,
    string? RemoteJobStatus,
    bool FailedAttempt,
    string? Error,
    FileVersionState? FileState = null,
    FailureClass? FileErrorClass = null,
    BilledCharge? Charge = null,
    bool Escalate = false)
{
    /// <summary>For a result delivered without some pages (<see cref="FollowUpDocument.FailedPages"/>): which, and the first error; else empty.</summary>
    public IReadOnlyList<int> FailedPages { get; init; } = [];

    public string? FailedPageError { get; init; }
}

/// <summary>A batch whose follow-up look is due, with its source (whose queue runs the look).</summary>
internal sealed record DueFollowUp(long BatchId, string Source);

/// <summary>What <see cref="IFollowUpStore.OvertakenAsync"/> found: references superseded at their own path, and copies' deliveries overtaken.</summary>
internal sealed record Overtaken(IReadOnlySet<long> Superseded, IReadOnlySet<Delivery> Copies);

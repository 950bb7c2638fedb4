namespace BatchOrchestrator.Core.Planning;

/// <summary>What a plan reads, and only reads: the versions the next planning would take, and the caps' use.</summary>
internal interface IPlanPreviewStore
{
    /// <summary>Versions waiting for a batch (Discovered or Held, and failed ones the retry rule would take back).</summary>
    Task<IReadOnlyList<PlanCandidate>> PendingAsync(string source, int maxAttempts, CancellationToken cancellationToken);

    /// <summary>The given versions as planning would see them (pages, size, path), for a cost estimate.</summary>
    Task<IReadOnlyList<PlanCandidate>> CandidatesAsync(IReadOnlyList<long> fileVersionIds, CancellationToken cancellationToken);

    /// <summary>
    /// What a Mirror source's directory holds: the versions whose file is still there as it was (batched and billed
    /// again with the next mirror batch), and how many are of a file that is changing.
    /// </summary>
    Task<MirrorLook> MirrorAsync(string source, CancellationToken cancellationToken);

    /// <summary>
    /// Each cap's credits in its current window (a run cap: none yet, the run has not started), the windows begun in
    /// <paramref name="zone"/> by the database's clock as planning begins them (<see cref="CapCheck.At"/>): begun by this
    /// instance's clock, a plan or a gauge would show room under clock skew that planning then refuses. Returns the caps
    /// as read, each with its window's start, and their use in the same order.
    /// </summary>
    Task<(IReadOnlyList<CapCheck> Caps, IReadOnlyList<decimal> Used)> CapUseAsync(IReadOnlyList<CapCheck> caps, TimeZoneInfo zone, CancellationToken cancellationToken);
}

/// <summary>A mirror's remote copies as the database knows them: current ones, and how many of a file that is changing.</summary>
internal sealed record MirrorLook(IReadOnlyList<PlanCandidate> Current, int Changing);

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// The upload slots of a LlamaCloud project as every instance on the database shares them: the limit (50 uploads per 5 s)
/// is the project's, not a process's (docs/llamacloud-api.md §1.4), so two instances pacing on their own would send twice it.
/// </summary>
internal interface ISharedUploadPace
{
    /// <summary>
    /// Reserves the next <paramref name="slots"/> slots of <paramref name="project"/>, <paramref name="interval"/> apart, after
    /// every slot any instance reserved before, and returns how long until the first of them (zero or less: now) and how many
    /// it holds; unless that would be longer than <paramref name="atMost"/>, when it reserves nothing (none held) and returns
    /// how long the project is held (reserved, the slots would be lost to every instance while the upload that asked comes back
    /// later). The reservation claims the project for <paramref name="weight"/>, the priority of the source uploading, on behalf
    /// of <paramref name="instance"/>: while another instance claims it for a greater weight, fewer slots are reserved, the
    /// part of <paramref name="slots"/> this weight is of that one (at least one), so that between instances too a small run
    /// of a high-priority source is not slowed to half by another's backfill (docs/sources.md, "Pacing").
    /// </summary>
    Task<SlotReservation> ReserveAsync(string project, Guid instance, int weight, int slots, TimeSpan interval, TimeSpan atMost, CancellationToken cancellationToken);

    /// <summary>Holds back every instance's next slots of <paramref name="project"/> until <paramref name="hold"/> from now (a 429's hint).</summary>
    Task HoldAsync(string project, TimeSpan hold, CancellationToken cancellationToken);
}

/// <summary>A reservation of <see cref="Slots"/> upload slots starting in <see cref="StartsIn"/>; none when the project is held longer than asked.</summary>
internal readonly record struct SlotReservation(TimeSpan StartsIn, int Slots);

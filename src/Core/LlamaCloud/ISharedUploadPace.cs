namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// The upload slots of a LlamaCloud project as every instance on the database shares them: the limit (50 uploads per 5 s)
/// is the project's, not a process's (docs/llamacloud-api.md §1.4), so two instances pacing on their own would send twice it.
/// </summary>
internal interface ISharedUploadPace
{
    /// <summary>
    /// Reserves the next <paramref name="slots"/> slots of <paramref name="project"/>, <paramref name="interval"/> apart, after
    /// every slot any instance reserved before, and returns how long until the first of them (zero or less: now); unless that
    /// would be longer than <paramref name="atMost"/>, when it reserves nothing and returns how long the project is held
    /// (reserved, the slots would be lost to every instance while the upload that asked comes back later).
    /// </summary>
    Task<TimeSpan> ReserveAsync(string project, int slots, TimeSpan interval, TimeSpan atMost, CancellationToken cancellationToken);

    /// <summary>Holds back every instance's next slots of <paramref name="project"/> until <paramref name="hold"/> from now (a 429's hint).</summary>
    Task HoldAsync(string project, TimeSpan hold, CancellationToken cancellationToken);
}

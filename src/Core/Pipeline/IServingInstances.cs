namespace BatchOrchestrator.Core.Pipeline;

/// <summary>
/// The instances serving jobs on this database (docs/deployment.md, "Several instances"): what a step asks before it
/// undoes work another instance, configured differently mid-deploy, may be entitled to.
/// </summary>
internal interface IServingInstances
{
    /// <summary>
    /// How many job servers beat recently on this database: this instance's own among them while it runs a job, so
    /// more than one means another instance is alive.
    /// </summary>
    Task<int> CountAsync(CancellationToken cancellationToken);

    /// <summary>The names of the job servers that beat recently on this database, in order.</summary>
    IReadOnlyList<string> LiveServerNames();
}

/// <summary>What a step an instance cannot do for want of its source waits before it is offered again, to whichever instance takes it.</summary>
internal static class HandBack
{
    public static readonly TimeSpan After = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How many times an instance puts back a follow-up of a source it lacks before it delivers it as a removed source's:
    /// a deploy is over in minutes, and a source removed on every instance must not have its results handed round for good.
    /// </summary>
    public const int FollowUpsAtMost = 10;
}

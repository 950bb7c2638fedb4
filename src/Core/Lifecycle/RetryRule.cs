using BatchOrchestrator.Core.Retries;

namespace BatchOrchestrator.Core.Lifecycle;

/// <summary>
/// When a failed file version is tried again in a later batch by itself: its failure is of a class
/// a later batch may cure (the service was out or busy) and its source's <c>MaxAttempts</c> is not
/// used up. A refused key or a file that cannot be processed waits for an operator.
/// <paramref name="MaxAttempts"/> counts the batches that ended with an outcome for the version.
/// </summary>
internal sealed record RetryRule(int MaxAttempts)
{
    /// <summary>Failures retried by themselves.</summary>
    public static readonly IReadOnlyList<FailureClass> RetriedClasses = [FailureClass.Transient, FailureClass.Throttled];

    /// <summary>Failures an operator's retry leaves alone unless forced: the file must be fixed, or its batch looked for, first.</summary>
    public static readonly IReadOnlyList<FailureClass> ForcedRetryOnly = [FailureClass.Permanent, FailureClass.Unconfirmed];

    /// <summary>Whether a version that failed with <paramref name="errorClass"/> after <paramref name="attempts"/> batches goes back to the queue.</summary>
    public bool Retries(FailureClass? errorClass, int attempts) => errorClass is { } failure && attempts < AttemptLimit(failure);

    /// <summary>The attempts a failure of this class is allowed: <see cref="MaxAttempts"/>, or none for a class never retried.</summary>
    public int AttemptLimit(FailureClass errorClass) => RetriedClasses.Contains(errorClass) ? MaxAttempts : 0;

    /// <summary>
    /// The classes an operator's retry leaves alone: those of <see cref="ForcedRetryOnly"/> it was not forced to take
    /// (Unconfirmed is then taken for the one batch named, <see cref="ForcedRetry.UnconfirmedBatch"/>).
    /// </summary>
    public static IReadOnlyList<FailureClass> LeftAloneByOperatorRetry(ForcedRetry forced) =>
        [.. ForcedRetryOnly.Where(c => c switch
        {
            FailureClass.Permanent => !forced.IncludePermanent,
            FailureClass.Unconfirmed => forced.UnconfirmedBatch is null,
            _ => throw new ArgumentOutOfRangeException(nameof(forced), c, "An operator's retry always takes this class"),
        })];
}

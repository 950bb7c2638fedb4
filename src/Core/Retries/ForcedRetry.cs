namespace BatchOrchestrator.Core.Retries;

/// <summary>
/// The failures an operator's retry sends again beyond those it always takes: each class a person must clear first is
/// named on its own, so that forcing one (a fixed file) never sends the other (a batch that may be billing).
/// </summary>
[Flags]
internal enum ForcedRetry
{
    /// <summary>Only failures a person need not clear first (an outage, a refused key, retries used up).</summary>
    None = 0,

    /// <summary>Also <see cref="FailureClass.Permanent"/>: the files were fixed.</summary>
    Permanent = 1,

    /// <summary>Also <see cref="FailureClass.Unconfirmed"/>: the batch they may be in was looked for at LlamaCloud.</summary>
    Unconfirmed = 2,
}

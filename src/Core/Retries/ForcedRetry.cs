namespace BatchOrchestrator.Core.Retries;

/// <summary>
/// The failures an operator's retry sends again beyond those it always takes. Each class a person must clear first is
/// named on its own, so that forcing one never sends the other: <paramref name="IncludePermanent"/> takes
/// <see cref="FailureClass.Permanent"/> (the files were fixed); <paramref name="UnconfirmedBatch"/> takes the
/// <see cref="FailureClass.Unconfirmed"/> files of that one batch (it was looked for at LlamaCloud: another such batch
/// of the source may still be billing).
/// </summary>
internal sealed record ForcedRetry(bool IncludePermanent = false, long? UnconfirmedBatch = null)
{
    /// <summary>Only failures a person need not clear first (an outage, a refused key, retries used up).</summary>
    public static readonly ForcedRetry None = new();

    /// <summary>Permanent failures too.</summary>
    public static readonly ForcedRetry Permanent = new(IncludePermanent: true);

    /// <summary>The unconfirmed files of <paramref name="batchId"/> too.</summary>
    public static ForcedRetry Unconfirmed(long batchId) => new(UnconfirmedBatch: batchId);
}

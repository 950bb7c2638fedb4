namespace BatchOrchestrator.Core.Operations;

/// <summary>
/// What a reprocess would do, said before it is done: how many files of the source were processed under
/// another configuration (by fingerprint), how many of those the filter selects, and how many of those
/// can be sent (the rest are no longer in the folder as they were, or still wait for their follow-up).
/// <see cref="Cost"/> is what sending them would cost, once cost tracking provides an estimate (null
/// until then: the hook is <see cref="IReprocessCostEstimator"/>).
/// </summary>
internal sealed record ReprocessPreview(
    string Source,
    string CurrentFingerprint,
    IReadOnlyDictionary<string, int> ProcessedUnder,
    int Selected,
    int Sendable,
    string? Cost = null,
    string? RefusedBecause = null)
{
    public int Stale => ProcessedUnder.Values.Sum();
}

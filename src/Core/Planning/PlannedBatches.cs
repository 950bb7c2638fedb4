using BatchOrchestrator.Core.Lifecycle;

namespace BatchOrchestrator.Core.Planning;

/// <summary>The batches a run planned, and the step of ours each is handed to first.</summary>
internal sealed record PlannedBatches(IReadOnlyList<long> BatchIds, BatchStep FirstStep);

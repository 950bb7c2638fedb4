using BatchOrchestrator.Core.Lifecycle;

namespace BatchOrchestrator.Core.Planning;

/// <summary>The batches a run planned, the step of ours each is handed to first, and what the caps decided.</summary>
internal sealed record PlannedBatches(IReadOnlyList<long> BatchIds, BatchStep FirstStep, Allocation? Allocation = null)
{
    public int Held => Allocation?.Held.Count ?? 0;
}

/// <summary>What a PerRun planning wrote: its batches, and which versions it took (with their reservations) and held.</summary>
internal sealed record PlanOutcome(IReadOnlyList<long> BatchIds, Allocation Allocation);

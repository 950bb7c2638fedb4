using BatchOrchestrator.Core.Lifecycle;

namespace BatchOrchestrator.Core.Batches;

/// <summary>A remote batch (v2) or batch-processing job (v1) as the steps see it.</summary>
internal sealed record RemoteBatchHandle(string Id, BatchState State, DateTimeOffset? CreatedAt);

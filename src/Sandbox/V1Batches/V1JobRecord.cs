using System.Text.Json;

namespace BatchOrchestrator.Sandbox.V1Batches;

/// <summary>A legacy v1 beta batch-processing job (LLAMACLOUD.md §3). Mutable; guarded by the state lock.</summary>
internal sealed class V1JobRecord
{
    public required long Sequence { get; init; }

    public required string Id { get; init; }

    public required string ProjectId { get; init; }

    public required string JobType { get; init; }

    public string? DirectoryId { get; init; }

    public required JsonElement JobConfig { get; init; }

    public required string ParametersHash { get; init; }

    public required IReadOnlyList<V1ItemRecord> Items { get; init; }

    public required string WorkflowId { get; init; }

    public string Status { get; set; } = V1Status.Pending;

    public string? ErrorMessage { get; set; }

    public long LastStep { get; set; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public required DateTimeOffset UpdatedAt { get; set; }
}

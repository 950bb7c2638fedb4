namespace BatchOrchestrator.Sandbox.V1Batches;

/// <summary>A legacy v1 beta batch-processing job (docs/llamacloud-api.md §3). Mutable; guarded by the state lock.</summary>
internal sealed class V1JobRecord : ProjectResource
{
    public required string JobType { get; init; }

    public string? DirectoryId { get; init; }

    public required JsonElement JobConfig { get; init; }

    /// <summary>A parse job's <c>parameters.tier</c>, when it names one (checked at create).</summary>
    public string? ParseTier =>
        JobConfig.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object
        && parameters.TryGetProperty("tier", out var tier) && tier.ValueKind == JsonValueKind.String
            ? tier.GetString()
            : null;

    public required string ParametersHash { get; init; }

    public required IReadOnlyList<V1ItemRecord> Items { get; init; }

    public required string WorkflowId { get; init; }

    public string Status { get; set; } = V1Status.Pending;

    public string? ErrorMessage { get; set; }

    public long LastStep { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public required DateTimeOffset UpdatedAt { get; set; }

    public int Count(string itemStatus) => Items.Count(i => i.Status == itemStatus);

    /// <summary>Items done one way or another, as a percentage; an empty job is 100 % once it completed.</summary>
    public double Progress
        => Items.Count == 0
            ? (V1Status.IsTerminalJob(Status) ? 100 : 0)
            : Math.Round(100.0 * Items.Count(i => V1Status.IsTerminalItem(i.Status)) / Items.Count, 2);

    /// <summary>processed_items counts every item that went through processing, failed or not.</summary>
    public V1JobDto ToDto()
        => new(
            Id,
            JobType,
            ProjectId,
            Status,
            Items.Count,
            Count(V1Status.Completed) + Count(V1Status.Failed),
            Count(V1Status.Failed),
            Count(V1Status.Skipped),
            DirectoryId,
            CreatedAt,
            StartedAt,
            CompletedAt,
            UpdatedAt,
            CreatedAt,
            ErrorMessage,
            null,
            WorkflowId);
}

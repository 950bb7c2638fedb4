using BatchOrchestrator.Sandbox.Webhooks;

namespace BatchOrchestrator.Sandbox.Batches;

/// <summary>A v2 batch and its processing progress. Mutable; guarded by the state lock.</summary>
internal sealed class BatchRecord : ProjectResource
{
    public required string SourceDirectoryId { get; init; }

    public required string JobType { get; init; }

    public required string ConfigurationId { get; init; }

    public required IReadOnlyList<BatchFile> Files { get; init; }

    /// <summary>parse_v2: the tier of the preset or saved configuration.</summary>
    public string? ParseTier { get; init; }

    /// <summary>extract_v2: the saved configuration's parameters (data_schema and options).</summary>
    public System.Text.Json.JsonElement? ExtractConfiguration { get; init; }

    public required IReadOnlyList<WebhookTarget> Webhooks { get; init; }

    /// <summary>When set, the batch ends FAILED once this many files are mapped (orchestration failure fault).</summary>
    public int? FailAfterMapped { get; init; }

    public string Status { get; set; } = BatchStatus.Pending;

    public List<BatchResultDto> Results { get; } = [];

    public bool CancelRequested { get; set; }

    /// <summary>The processing step that last moved this batch; one move per step.</summary>
    public long LastStep { get; set; }

    public required DateTimeOffset UpdatedAt { get; set; }

    /// <summary>
    /// Results appear only with expand=results and once the batch is terminal: the SDK says they
    /// are "null unless requested with expand=results, or while the batch is still running".
    /// </summary>
    public BatchDto ToDto(bool expandResults)
        => new(
            Id,
            ProjectId,
            SourceDirectoryId,
            new BatchConfigDto(new BatchJobDto(JobType, ConfigurationId)),
            Status,
            CreatedAt,
            UpdatedAt,
            expandResults && BatchStatus.IsTerminal(Status) ? [.. Results] : null);
}

namespace BatchOrchestrator.Sandbox.Batches;

/// <summary>The batch response (SDK batches.ts BatchGetResponse).</summary>
internal sealed record BatchDto(
    string Id,
    string ProjectId,
    string SourceDirectoryId,
    BatchConfigDto Config,
    string Status,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt,
    IReadOnlyList<BatchResultDto>? Results);

/// <summary>Batch configuration snapshot.</summary>
internal sealed record BatchConfigDto(BatchJobDto Job);

/// <summary>The job to create for each file.</summary>
internal sealed record BatchJobDto(string Type, string ConfigurationId);

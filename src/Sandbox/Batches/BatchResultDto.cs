namespace BatchOrchestrator.Sandbox.Batches;

/// <summary>Per-file result projection (SDK batches.ts Result).</summary>
internal sealed record BatchResultDto(string SourceDirectoryFileId, JobReferenceDto? JobReference, string? ErrorMessage);

/// <summary>Reference to the job a file was mapped to.</summary>
internal sealed record JobReferenceDto(string Type, string Id);

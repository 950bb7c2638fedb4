namespace BatchOrchestrator.Sandbox.Files;

/// <summary>A presigned download link (SDK files.ts PresignedURL).</summary>
internal sealed record PresignedUrlDto(string Url, DateTimeOffset ExpiresAt, IReadOnlyDictionary<string, string>? FormFields);

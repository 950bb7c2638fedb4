namespace BatchOrchestrator.Sandbox.Configurations;

/// <summary>The configuration response (SDK configurations.ts ConfigurationResponse).</summary>
internal sealed record ConfigurationDto(
    string Id,
    string Name,
    string ProductType,
    string Version,
    JsonElement Parameters,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt);

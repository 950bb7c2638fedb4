namespace BatchOrchestrator.Sandbox.Configurations;

/// <summary>A saved product configuration (docs/llamacloud-api.md §8); upserted by name + product type.</summary>
internal sealed class ConfigurationRecord : ProjectResource
{
    public required string Name { get; set; }

    public required string ProductType { get; set; }

    public required JsonElement Parameters { get; set; }

    public required DateTimeOffset UpdatedAt { get; set; }

    /// <summary>"Version identifier (datetime string)": the time of the last change.</summary>
    public ConfigurationDto ToDto() => new(Id, Name, ProductType, Json.UtcTimestampConverter.Format(UpdatedAt), Parameters, CreatedAt, UpdatedAt);
}

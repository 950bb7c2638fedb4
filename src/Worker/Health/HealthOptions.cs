namespace BatchOrchestrator.Worker.Health;

/// <summary>Health endpoints ("Health" section).</summary>
public sealed class HealthOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Health";

    /// <summary>How long an answer from LlamaCloud counts for <c>/readyz</c>.</summary>
    public TimeSpan ApiCheckInterval { get; set; } = TimeSpan.FromSeconds(30);
}

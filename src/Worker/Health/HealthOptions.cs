namespace BatchOrchestrator.Worker.Health;

/// <summary>Health endpoints ("Health" section).</summary>
public sealed class HealthOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Health";

    /// <summary>How long an answer from LlamaCloud counts for <c>/readyz</c>.</summary>
    public TimeSpan ApiCheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long <c>/readyz</c> waits for LlamaCloud's answer (its retries included) before it counts as not answering.
    /// Below the check's own limit (10 s), so that a LlamaCloud that does not answer reads as that, not as a failed check.
    /// </summary>
    public TimeSpan ApiTimeout { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>
    /// How long <c>/readyz</c> waits for PostgreSQL (its two checks, the server and the schema version) before it counts
    /// as not answering. Below the readiness probe's own timeout, so that a database that hangs gets a 503 that says so.
    /// </summary>
    public TimeSpan DatabaseTimeout { get; set; } = TimeSpan.FromSeconds(3);
}

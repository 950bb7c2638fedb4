namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>How project pauses behave ("LlamaCloud:Pauses"): probes, how long a read is trusted, the pace of polls meanwhile.</summary>
public sealed class PauseOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "LlamaCloud:Pauses";

    /// <summary>How often a credit or quota pause is probed (a request that cannot spend credits, docs/resilience.md).</summary>
    public TimeSpan CreditProbeInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long an instance trusts its last read of the pauses table: another instance's pause is honoured
    /// here at most this late. The instance that observed the cause honours it at once.
    /// </summary>
    public TimeSpan CacheFor { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The slowest a paused project's open batches are polled (polls are reads and go on, slowly).</summary>
    public TimeSpan PollDelay { get; set; } = TimeSpan.FromMinutes(5);
}

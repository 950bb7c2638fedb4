namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// The per-project circuit breaker of the LlamaCloud client ("LlamaCloud:CircuitBreaker"): Polly's, on the
/// attempts of every request (server errors, 408, timeouts, connection failures count; 429 and other 4xx
/// do not). While it is open the project is paused (docs/resilience.md).
/// </summary>
public sealed class CircuitBreakerOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "LlamaCloud:CircuitBreaker";

    /// <summary>Off turns the breaker off; credit and quota pauses still apply.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Share of failed attempts within <see cref="SamplingDuration"/> that opens the circuit.</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>
    /// Attempts within <see cref="SamplingDuration"/> before the ratio counts. One request makes up to 6 with its
    /// retries (SDK 2.16.0's 5 retries), so at 6 a full outage opens the circuit with the last attempt of the first
    /// request that meets it: that request ends as a pause, not as a failure its step would be retried for.
    /// </summary>
    public int MinimumThroughput { get; set; } = 6;

    /// <summary>The window the failure ratio is measured over.</summary>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the circuit stays open before one probe may try again.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}

namespace BatchOrchestrator.Sandbox;

/// <summary>
/// How the Sandbox behaves: auth, simulated processing pace, and faults.
/// Bound from the "Sandbox" configuration section when hosted by the Worker.
/// </summary>
public sealed class SandboxOptions
{
    /// <summary>Bearer key every request must carry; null or empty accepts any request.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Port on 127.0.0.1 to listen on; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>Time between simulated processing steps (batch status changes, job completion).</summary>
    public TimeSpan StepDelay { get; set; } = TimeSpan.FromMilliseconds(500);
}

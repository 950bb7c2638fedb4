namespace BatchOrchestrator.Sandbox;

/// <summary>A fixed-window limit: at most <see cref="PermitLimit"/> requests per <see cref="Window"/>.</summary>
public sealed class SandboxRateLimit
{
    /// <summary>Requests allowed per window; 0 disables the limit.</summary>
    public int PermitLimit { get; set; }

    /// <summary>The window length.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(1);
}

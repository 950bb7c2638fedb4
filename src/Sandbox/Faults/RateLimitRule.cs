namespace BatchOrchestrator.Sandbox.Faults;

/// <summary>A fixed-window limit for one route group; a PermitLimit of 0 means unlimited.</summary>
internal sealed record RateLimitRule(int PermitLimit, TimeSpan Window);

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// The client-side pace of file uploads ("LlamaCloud:UploadRateLimit"), shared by every upload of the
/// process. LlamaCloud allows 50 uploads per 5 s per project (docs/llamacloud-api.md §1.4); pacing just under
/// that keeps throughput at the limit without bouncing off it with 429s.
/// </summary>
public sealed class UploadRateLimitOptions
{
    /// <summary>Uploads allowed per <see cref="Window"/>; 0 turns pacing off.</summary>
    public int PermitLimit { get; set; } = 50;

    /// <summary>The window the API counts uploads in.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Share of the limit actually used, leaving room for clock and network jitter (0.5–1).</summary>
    public double Headroom { get; set; } = 0.95;

    /// <summary>After a 429, the pace is multiplied by this (0.1–1) …</summary>
    public double ThrottledFactor { get; set; } = 0.5;

    /// <summary>… for this long (each further 429 starts it again).</summary>
    public TimeSpan ThrottledFor { get; set; } = TimeSpan.FromSeconds(30);
}

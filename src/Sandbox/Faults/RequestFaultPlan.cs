namespace BatchOrchestrator.Sandbox.Faults;

/// <summary>What the fault middleware does to one request, decided when it arrives.</summary>
internal sealed record RequestFaultPlan
{
    public static readonly RequestFaultPlan None = new();

    public TimeSpan Delay { get; init; }

    /// <summary>Abort the connection before the request takes effect.</summary>
    public bool DropBefore { get; init; }

    /// <summary>Answer 429 before the request takes effect.</summary>
    public bool TooManyRequests { get; init; }

    public TimeSpan RetryAfter { get; init; }

    /// <summary>How a 429 carries <see cref="RetryAfter"/> (see <see cref="SandboxFaults.RetryAfterFormat"/>).</summary>
    public string RetryAfterFormat { get; init; } = "seconds_and_ms";

    /// <summary><c>x-should-retry</c> on injected errors, or none.</summary>
    public bool? ShouldRetryHeader { get; init; }

    /// <summary>Answer this 5xx before the request takes effect.</summary>
    public int? ErrorBefore { get; init; }

    /// <summary>Let the request take effect, then answer this 5xx instead of its response.</summary>
    public int? ErrorAfter { get; init; }

    /// <summary>Let the request take effect, then abort the connection.</summary>
    public bool DropAfter { get; init; }

    public bool Truncate { get; init; }

    public bool Malform { get; init; }

    public int SlowUploadBytesPerSecond { get; init; }

    public bool NeedsResponseBuffer => ErrorAfter is not null || DropAfter || Truncate || Malform;

    /// <summary>A short name per fault, for the faults_injected counter.</summary>
    public IEnumerable<string> Kinds()
    {
        if (Delay > TimeSpan.Zero) yield return "latency";
        if (DropBefore) yield return "drop_connection";
        if (TooManyRequests) yield return "too_many_requests";
        if (ErrorBefore is not null) yield return "error";
        if (ErrorAfter is not null) yield return "error_after_effect";
        if (DropAfter) yield return "drop_after_effect";
        if (Truncate) yield return "truncated_json";
        if (Malform) yield return "malformed_json";
        if (SlowUploadBytesPerSecond > 0) yield return "slow_upload";
    }
}

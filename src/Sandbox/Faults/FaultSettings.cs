namespace BatchOrchestrator.Sandbox.Faults;

/// <summary>The fault and rate-limit settings in force; immutable, replaced whole on each change.</summary>
internal sealed record FaultSettings
{
    public static readonly IReadOnlyList<int> DefaultErrorStatusCodes = [500, 502, 503];

    /// <summary>
    /// A server's error, or a refusal of the kind whose code no source settles (SandboxGuesses.RefusalCodes): a request the
    /// API may refuse on grounds the Sandbox does not model (a listing it cannot serve, a conflict it does not explain).
    /// </summary>
    public static bool IsErrorStatus(int code) => code is >= 500 and <= 599 || SandboxGuesses.RefusalCodes.Contains(code);

    public int Seed { get; init; }

    public TimeSpan Latency { get; init; }

    public TimeSpan LatencyJitter { get; init; }

    public double ErrorRate { get; init; }

    public IReadOnlyList<int> ErrorStatusCodes { get; init; } = DefaultErrorStatusCodes;

    public double ErrorAfterEffectRate { get; init; }

    public double DropConnectionRate { get; init; }

    public double DropAfterEffectRate { get; init; }

    public double TooManyRequestsRate { get; init; }

    public int TooManyRequestsBurst { get; init; }

    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(1);

    public string RetryAfterFormat { get; init; } = "seconds_and_ms";

    public bool? ShouldRetryHeader { get; init; }

    public double TruncatedJsonRate { get; init; }

    public double MalformedJsonRate { get; init; }

    public int SlowUploadBytesPerSecond { get; init; }

    public IReadOnlyList<string> Routes { get; init; } = [];

    public double FileFailureRate { get; init; }

    public string? FailFilesMatching { get; init; }

    public string? FileFailureMessage { get; init; }

    public string? EmptyResultsMatching { get; init; }

    public string? FailPagesMatching { get; init; }

    public string? BillAtTier { get; init; }

    public int FailNextBatches { get; init; }

    public int V1ListsEndAfter { get; init; }

    public string? FailBatchesMatching { get; init; }

    public bool WebhooksOutOfOrder { get; init; }

    public double WebhookDropRate { get; init; }

    public IReadOnlyDictionary<string, RateLimitRule> RateLimits { get; init; } = new Dictionary<string, RateLimitRule>();

    public bool PaymentRequired { get; init; }

    public bool QuotaExceeded { get; init; }

    public int QuotaStatusCode { get; init; } = 429;

    public string QuotaDetail { get; init; } = new SandboxFaults().QuotaDetail;

    public string? HoldRequestsMatching { get; init; }

    public bool HoldAfterEffect { get; init; }

    public int HoldAnswerStatus { get; init; }

    public static FaultSettings From(SandboxOptions options)
    {
        var faults = options.Faults;
        return new FaultSettings
        {
            Seed = options.Seed,
            Latency = faults.Latency,
            LatencyJitter = faults.LatencyJitter,
            ErrorRate = faults.ErrorRate,
            ErrorStatusCodes = faults.ErrorStatusCodes is { Count: > 0 } codes ? [.. codes] : DefaultErrorStatusCodes,
            ErrorAfterEffectRate = faults.ErrorAfterEffectRate,
            DropConnectionRate = faults.DropConnectionRate,
            DropAfterEffectRate = faults.DropAfterEffectRate,
            TooManyRequestsRate = faults.TooManyRequestsRate,
            TooManyRequestsBurst = faults.TooManyRequestsBurst,
            RetryAfter = faults.RetryAfter,
            RetryAfterFormat = faults.RetryAfterFormat,
            ShouldRetryHeader = faults.ShouldRetryHeader,
            TruncatedJsonRate = faults.TruncatedJsonRate,
            MalformedJsonRate = faults.MalformedJsonRate,
            SlowUploadBytesPerSecond = faults.SlowUploadBytesPerSecond,
            Routes = faults.Routes is null ? [] : [.. faults.Routes],
            FileFailureRate = faults.FileFailureRate,
            FailFilesMatching = faults.FailFilesMatching,
            FileFailureMessage = faults.FileFailureMessage,
            EmptyResultsMatching = faults.EmptyResultsMatching,
            FailPagesMatching = faults.FailPagesMatching,
            BillAtTier = faults.BillAtTier,
            FailNextBatches = faults.FailNextBatches,
            V1ListsEndAfter = faults.V1ListsEndAfter,
            FailBatchesMatching = faults.FailBatchesMatching,
            WebhooksOutOfOrder = faults.WebhooksOutOfOrder,
            PaymentRequired = faults.PaymentRequired,
            QuotaExceeded = faults.QuotaExceeded,
            QuotaStatusCode = faults.QuotaStatusCode,
            QuotaDetail = faults.QuotaDetail,
            HoldRequestsMatching = faults.HoldRequestsMatching,
            HoldAfterEffect = faults.HoldAfterEffect,
            HoldAnswerStatus = faults.HoldAnswerStatus,
            WebhookDropRate = faults.WebhookDropRate,
            RateLimits = options.RateLimits.ToDictionary(
                pair => pair.Key,
                pair => new RateLimitRule(pair.Value.PermitLimit, pair.Value.Window),
                StringComparer.Ordinal),
        };
    }

    /// <summary>Whether request faults apply to a route key such as "POST /api/v2/batches".</summary>
    public bool AppliesTo(string routeKey)
        => Routes.Count == 0 || Routes.Any(filter => routeKey.Contains(filter, StringComparison.OrdinalIgnoreCase));
}

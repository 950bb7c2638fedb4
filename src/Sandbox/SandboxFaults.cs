namespace BatchOrchestrator.Sandbox;

/// <summary>
/// Seeded fault injection (see <see cref="SandboxOptions.Seed"/>). Request faults apply to /api
/// routes, or only to those whose "METHOD /route/{pattern}" contains one of <see cref="Routes"/>.
/// Rates are probabilities from 0 to 1.
/// </summary>
public sealed class SandboxFaults
{
    /// <summary>Delay added before every matching request is handled.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Extra random delay, from zero up to this, added to <see cref="Latency"/>.</summary>
    public TimeSpan LatencyJitter { get; set; }

    /// <summary>Share of requests answered with a 5xx before they take effect.</summary>
    public double ErrorRate { get; set; }

    /// <summary>Status codes the 5xx faults pick from; null means 500, 502 and 503.</summary>
    public IList<int>? ErrorStatusCodes { get; set; }

    /// <summary>Share of requests that take effect and are then answered with a 5xx (the exactly-once hazard).</summary>
    public double ErrorAfterEffectRate { get; set; }

    /// <summary>Share of requests whose connection is aborted before they take effect.</summary>
    public double DropConnectionRate { get; set; }

    /// <summary>Share of requests that take effect and then lose their connection before the response.</summary>
    public double DropAfterEffectRate { get; set; }

    /// <summary>Share of requests answered 429 at random.</summary>
    public double TooManyRequestsRate { get; set; }

    /// <summary>The next this-many matching requests are answered 429 (a burst); counts down.</summary>
    public int TooManyRequestsBurst { get; set; }

    /// <summary>Retry-After sent with injected 429s.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How 429s carry their wait: <c>seconds_and_ms</c> (Retry-After in whole seconds and retry-after-ms),
    /// <c>seconds</c>, <c>ms</c>, <c>date</c> (Retry-After as an HTTP date) or <c>none</c>. Whether the
    /// service sends either header is undocumented, so every form is on offer to test clients with.
    /// </summary>
    public string RetryAfterFormat { get; set; } = "seconds_and_ms";

    /// <summary><c>x-should-retry</c> (<c>true</c> or <c>false</c>) on injected 429s and 5xx; null sends none.</summary>
    public bool? ShouldRetryHeader { get; set; }

    /// <summary>Share of successful JSON responses cut off halfway (with a matching Content-Length).</summary>
    public double TruncatedJsonRate { get; set; }

    /// <summary>Share of successful JSON responses made unparseable.</summary>
    public double MalformedJsonRate { get; set; }

    /// <summary>Read multipart request bodies at most this fast; 0 means full speed.</summary>
    public int SlowUploadBytesPerSecond { get; set; }

    /// <summary>Route filters ("POST /api/v2/batches", "/files/upload"); null or empty means every /api route.</summary>
    public IList<string>? Routes { get; set; }

    /// <summary>Share of per-file parse/extract jobs that end FAILED with a realistic message.</summary>
    public double FileFailureRate { get; set; }

    /// <summary>Regex on a file's display name: matching files' jobs always fail.</summary>
    public string? FailFilesMatching { get; set; }

    /// <summary>
    /// The error every failing file's job (and v1 item) fails with, instead of one of the realistic messages: a test
    /// makes a job's error quote what it likes, a secret the request carried among them.
    /// </summary>
    public string? FileFailureMessage { get; set; }

    /// <summary>Regex on a file's display name: matching files' jobs complete with empty content (no text, no markdown, an empty extract result).</summary>
    public string? EmptyResultsMatching { get; set; }

    /// <summary>
    /// Regex on a file's display name: matching files' parse jobs end COMPLETED with some pages failed, every
    /// even-numbered page (a one-page document: its only page), as the SDK's failed pages (<c>success: false</c>) allow.
    /// </summary>
    public string? FailPagesMatching { get; set; }

    /// <summary>Bill (and report) every parse and extract job at this tier, whatever its configuration asked.</summary>
    public string? BillAtTier { get; set; }

    /// <summary>The next this-many batches end FAILED (orchestration failure); counts down.</summary>
    public int FailNextBatches { get; set; }

    /// <summary>The v1 lists (jobs, a job's items) answer no entry past the first N, their <c>total_size</c> still counting all; 0: off.</summary>
    public int V1ListsEndAfter { get; set; }

    /// <summary>Regex on the source directory's name: its batches end FAILED.</summary>
    public string? FailBatchesMatching { get; set; }

    /// <summary>Hold each batch's webhook events until it is terminal, then deliver them newest first.</summary>
    public bool WebhooksOutOfOrder { get; set; }

    /// <summary>
    /// Answer 402 to every request that would spend credits (batch, parse and extract creates), as the
    /// service does when a plan's credits are used up (docs/llamacloud-api.md §1.7); nothing takes effect.
    /// </summary>
    public bool PaymentRequired { get; set; }

    /// <summary>
    /// Answer the quota error (<see cref="QuotaStatusCode"/> with <see cref="QuotaDetail"/>) to every request
    /// that would spend credits. What the service sends for an exhausted quota is undocumented: this shape is a guess.
    /// </summary>
    public bool QuotaExceeded { get; set; }

    /// <summary>Status of the quota error: 429 (the default) or 403.</summary>
    public int QuotaStatusCode { get; set; } = 429;

    /// <summary>The <c>detail</c> text of the quota error.</summary>
    public string QuotaDetail { get; set; } = "Quota exceeded: this project has used up its page quota for the period";

    /// <summary>
    /// Regex on "METHOD /route/{pattern}?query": matching /api requests are held (not answered) until this is
    /// cleared or changed, or the client goes away. A test lands a kill inside a step this way, not by timing.
    /// </summary>
    public string? HoldRequestsMatching { get; set; }

    /// <summary>Hold a matching request after it took effect (its answer is held) rather than before.</summary>
    public bool HoldAfterEffect { get; set; }

    /// <summary>
    /// With a hold before the effect: a held request is answered at once with this 5xx, as a gateway that gave up on
    /// it answers, and takes effect when the hold is lifted, as a server still working on it would. 0: not answered.
    /// </summary>
    public int HoldAnswerStatus { get; set; }

    /// <summary>
    /// Share of webhook deliveries silently never sent (1: webhooks have stopped, as users of LlamaCloud
    /// report happening), while the batches themselves go on as usual.
    /// </summary>
    public double WebhookDropRate { get; set; }
}

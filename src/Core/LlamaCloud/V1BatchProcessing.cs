namespace BatchOrchestrator.Core.LlamaCloud;

// Shapes of the legacy /api/v1/beta/batch-processing (docs/llamacloud-api.md §3), as TS SDK 2.13.0 types
// them (resources/beta/batch/*.d.ts), the last release that has the group.

/// <summary>
/// A v1 batch job. <see cref="Id"/> is a plain string (no format is promised); <see cref="TotalItems"/> is
/// required; statuses are lower case: pending, running, dispatched, completed, failed, cancelled.
/// </summary>
internal sealed record V1BatchJob(
    string Id,
    string JobType,
    string Status,
    int TotalItems,
    int? ProcessedItems = null,
    int? FailedItems = null,
    int? SkippedItems = null,
    string? DirectoryId = null,
    string? ErrorMessage = null,
    DateTimeOffset? CreatedAt = null,
    DateTimeOffset? CompletedAt = null);

/// <summary><c>GET …/{job_id}</c>: the job and its progress from 0 to 100.</summary>
internal sealed record V1BatchJobStatus(V1BatchJob Job, double? ProgressPercentage = null);

/// <summary>The offset page of the v1 lists (<c>PaginatedBatchItems</c>, §1.3).</summary>
internal sealed record V1Page<T>(IReadOnlyList<T> Items, int TotalSize);

/// <summary>One file of a v1 job: pending, processing, completed, failed, skipped (with a reason) or cancelled.</summary>
internal sealed record V1Item(
    string ItemId,
    string Status,
    string? ItemName = null,
    string? JobId = null,
    string? SkipReason = null,
    string? ErrorMessage = null,
    DateTimeOffset? CompletedAt = null);

/// <summary>
/// Body of <c>POST /api/v1/beta/batch-processing</c>: either <see cref="DirectoryId"/> or <see cref="ItemIds"/>;
/// <see cref="PageSize"/> and <see cref="ContinueAsNewThreshold"/> (directory mode) only when configured,
/// since the service's defaults are not documented (docs/llamacloud-api.md §3.2).
/// </summary>
internal sealed record V1CreateRequest(
    V1JobConfig JobConfig,
    string? DirectoryId = null,
    IReadOnlyList<string>? ItemIds = null,
    int? PageSize = null,
    int? ContinueAsNewThreshold = null);

/// <summary>
/// <c>job_config</c>, a union (nulls are not written): the parse variant, <c>BatchParseJobRecordCreate</c>,
/// carries <c>job_name</c> and <c>parameters</c>; the classify variant, the SDK's <c>ClassifyJob</c>, has
/// <c>id</c>, <c>project_id</c>, <c>rules</c>, <c>status</c> and <c>user_id</c> required, and <c>mode</c>.
/// </summary>
internal sealed record V1JobConfig(
    string? JobName = null,
    V1ParseParameters? Parameters = null,
    string? Id = null,
    string? ProjectId = null,
    IReadOnlyList<V1ClassifyRule>? Rules = null,
    string? Status = null,
    string? UserId = null,
    string? Mode = null)
{
    /// <summary>The literal the SDK types <c>job_name</c> as (its doc comment names the enum, PARSE_RAW_FILE).</summary>
    public const string ParseJobName = "parse_raw_file_job";

    /// <summary>A parse job, at <paramref name="tier"/> when given (<see cref="V1ParseTiers"/>), else at the service's default.</summary>
    public static V1JobConfig Parse(string? tier = null) => new(JobName: ParseJobName, Parameters: new V1ParseParameters("parse", tier));

    /// <summary>
    /// A classify job. <c>ClassifyJob</c> is the job's stored shape reused as input, so no source says
    /// what a client puts in its ids for a job that does not exist yet (docs/llamacloud-api.md §11.11).
    /// Our guess: a fresh UUID as <paramref name="id"/> (a UUID satisfies both a plain-string and a UUID
    /// check), the project the request acts in, status PENDING (a new job), and the configured user id.
    /// </summary>
    public static V1JobConfig Classify(string projectId, string userId, IReadOnlyList<V1ClassifyRule> rules) =>
        new(Id: Guid.NewGuid().ToString(), ProjectId: projectId, Rules: rules, Status: "PENDING", UserId: userId, Mode: "FAST");
}

/// <summary>The parse variant's <c>parameters</c> (legacy LlamaParse options; the type, and the tier when one is configured).</summary>
internal sealed record V1ParseParameters(string Type, string? Tier = null);

/// <summary>
/// The tiers a v1 parse job may be asked for. SDK 2.13.0 types <c>parameters.tier</c> as a plain string; the
/// names are a guess: those of v2 parsing, where <c>tier</c> is this enum (SDK 2.16.0 <c>resources/parsing.d.ts</c>,
/// <c>ParsingCreateParams.tier</c>; docs/llamacloud-api.md §3.2).
/// </summary>
internal static class V1ParseTiers
{
    public static readonly IReadOnlyList<string> All = ["fast", "cost_effective", "agentic", "agentic_plus"];
}

/// <summary>A classify rule: the label and what it means.</summary>
internal sealed record V1ClassifyRule(string Type, string Description);

/// <summary>Body of <c>POST …/{job_id}/cancel</c>.</summary>
internal sealed record V1CancelRequest(string? Reason = null);

/// <summary>The answer to a cancel.</summary>
internal sealed record V1CancelResponse(string JobId, string Status, string? Message = null, int? ProcessedItems = null);

/// <summary>
/// <c>GET /api/v1/classifier/jobs/{classify_job_id}/results</c> (TS SDK 2.13.0 <c>resources/classifier/jobs.d.ts</c>,
/// <c>JobGetResultsResponse</c>): the only type in the SDK that carries a classification's label.
/// </summary>
internal sealed record ClassifierResults(IReadOnlyList<ClassifierResultItem>? Items = null, string? NextPageToken = null);

/// <summary>One classified file: <see cref="FileId"/> (optional) names the stored file; <see cref="Result"/> (optional) the label.</summary>
internal sealed record ClassifierResultItem(string Id, string ClassifyJobId, string? FileId = null, ClassifyResult? Result = null);

/// <summary>The label (<c>type</c>, null when no rule matched), how sure, and why.</summary>
internal sealed record ClassifyResult(string? Type, double Confidence = 0, string? Reasoning = null);

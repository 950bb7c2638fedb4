namespace BatchOrchestrator.Sandbox.Admin;

/// <summary>
/// Names of the effect counters in GET /_sandbox/counters. A counter moves only when a request
/// took effect: an upload refused with 429 or a fault-injected 5xx is not an upload.
/// </summary>
internal static class Counter
{
    public const string Uploads = "uploads";
    public const string DirectoryCreates = "directory_creates";
    public const string BatchCreates = "batch_creates";
    public const string FileUploads = "file_uploads";
    public const string DirectoryFileAdds = "directory_file_adds";
    public const string DirectoryFileDeletes = "directory_file_deletes";
    public const string DirectoryDeletes = "directory_deletes";
    public const string FileDeletes = "file_deletes";
    public const string ParseJobDeletes = "parse_job_deletes";
    public const string ExtractJobDeletes = "extract_job_deletes";
    public const string ClassifierResultGets = "classifier_result_gets";
    public const string BatchGets = "batch_gets";
    public const string BatchCancels = "batch_cancels";
    public const string ParseJobsCreated = "parse_jobs_created";
    public const string ParseJobGets = "parse_job_gets";
    public const string ParseJobCancels = "parse_job_cancels";
    public const string ExtractJobsCreated = "extract_jobs_created";
    public const string ExtractJobGets = "extract_job_gets";
    public const string ExtractJobCancels = "extract_job_cancels";
    public const string ConfigurationUpserts = "configuration_upserts";
    public const string V1BatchCreates = "v1_batch_creates";
    public const string V1BatchCancels = "v1_batch_cancels";
    public const string WebhookDeliveries = "webhook_deliveries";
    public const string WebhookDeliveryFailures = "webhook_delivery_failures";
    public const string RateLimited = "rate_limited";

    /// <summary>Totals reported as "&lt;name&gt;_total".</summary>
    public static readonly IReadOnlyList<string> Totals =
    [
        Uploads, DirectoryCreates, BatchCreates, FileUploads, DirectoryFileAdds, DirectoryFileDeletes, DirectoryDeletes, FileDeletes,
        ParseJobDeletes, ExtractJobDeletes, ClassifierResultGets,
        BatchGets, BatchCancels, ParseJobsCreated, ParseJobGets, ParseJobCancels, ExtractJobsCreated, ExtractJobGets,
        ExtractJobCancels, ConfigurationUpserts, V1BatchCreates, V1BatchCancels, WebhookDeliveries,
        WebhookDeliveryFailures, RateLimited,
    ];

    /// <summary>Keyed breakdowns, reported under these exact names.</summary>
    public const string UploadsByUniqueId = "uploads_by_unique_id";
    public const string DirectoryCreatesByName = "directory_creates_by_name";
    public const string BatchCreatesByDirectory = "batch_creates_by_directory";
    public const string RequestsByRoute = "requests_by_route";
    public const string ResponsesByStatus = "responses_by_status";
    public const string FaultsInjected = "faults_injected";
    public const string WebhookDeliveriesByEvent = "webhook_deliveries_by_event";

    /// <summary>Uploads that took effect, by the project they went into.</summary>
    public const string UploadsByProject = "uploads_by_project";

    /// <summary>Every /api request by the <c>project_id</c> it carried ("none" without one): which scope a client sends.</summary>
    public const string RequestsByProjectParam = "requests_by_project_param";

    /// <summary>Requests refused by a rate limit, by "group/project".</summary>
    public const string RateLimitedByProject = "rate_limited_by_project";

    /// <summary>The most permits one rate-limit window gave out, by "group/project": how close a client came to the limit.</summary>
    public const string RateLimitPeakByProject = "rate_limit_peak_by_project";

    /// <summary>Every /api request by its User-Agent header ("none" without one).</summary>
    public const string RequestsByUserAgent = "requests_by_user_agent";

    public static readonly IReadOnlyList<string> Breakdowns =
    [
        UploadsByUniqueId, DirectoryCreatesByName, BatchCreatesByDirectory, RequestsByRoute, ResponsesByStatus,
        FaultsInjected, WebhookDeliveriesByEvent, UploadsByProject, RequestsByProjectParam, RateLimitedByProject,
        RateLimitPeakByProject, RequestsByUserAgent,
    ];
}

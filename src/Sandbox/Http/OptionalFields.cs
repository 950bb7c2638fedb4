namespace BatchOrchestrator.Sandbox.Http;

/// <summary>
/// The response fields the SDK's types mark optional (<c>name?:</c>), per route the client uses: the
/// ones <see cref="OptionalFieldsMiddleware"/> may leave out. A path names a property of the body
/// (<c>results</c>), of an object inside it (<c>job.usage</c>) or of every element of an array
/// (<c>items[].job_id</c>). Sources: TS SDK 2.16.0 <c>resources/batches.d.ts</c>, <c>parsing.d.ts</c>,
/// <c>extract.d.ts</c>, <c>beta/directories/*.d.ts</c>, <c>files.d.ts</c>, <c>configurations.d.ts</c>; 2.13.0 <c>beta/batch/*.d.ts</c>.
/// Fields whose absence the types give a meaning of their own (a result's <c>job_reference</c>: no job
/// was made) are left out of this list.
/// </summary>
internal static class OptionalFields
{
    /// <summary>Marks a field the SDK types <c>?: T</c>, never null: <c>Sandbox:Guesses:OptionalFieldsAsNull</c> leaves it out instead.</summary>
    private const char NeverNullMark = '!';

    private static readonly string[] Batch = ["results", "created_at", "updated_at", "results[].error_message"];
    private static readonly string[] ParseJob = ["usage", "error_message", "created_at", "updated_at", "name", "tier", "user_metadata"];
    private static readonly string[] ParseResult =
        ["markdown_full", "text_full", "markdown", "text", "items", "metadata", "job_metadata", .. ParseJob.Select(f => "job." + f)];

    private static readonly string[] ExtractJob =
    [
        "usage", "error_message", "configuration", "configuration_id", "extract_metadata", "extract_result", "metadata",
        "metadata.usage", "metadata.usage.num_pages_billed", "metadata.usage.num_pages_extracted",
    ];

    private static readonly string[] Directory = ["type", "description", "expires_at", "created_at", "updated_at", "deleted_at", "system_metadata"];
    private static readonly string[] DirectoryFile = ["file_id", "metadata!", "download_url", "created_at", "updated_at", "deleted_at"];
    private static readonly string[] StoredFile = ["file_type", "purpose", "external_file_id", "expires_at", "last_modified_at"];
    private static readonly string[] Configuration = ["created_at", "updated_at"];

    private static readonly string[] V1Job =
    [
        "processed_items!", "failed_items!", "skipped_items!", "directory_id", "created_at", "started_at", "completed_at", "updated_at",
        "effective_at!", "error_message", "job_record_id", "workflow_id",
    ];

    private static readonly string[] V1Item = ["job_id", "skip_reason", "error_message", "started_at", "completed_at", "effective_at!", "job_record_id"];

    /// <summary>Route key ("METHOD /pattern") → the optional paths of its answer.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> ByRoute = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        ["POST /api/v2/batches"] = Batch,
        ["GET /api/v2/batches/{batch_id}"] = Batch,
        ["POST /api/v2/batches/{batch_id}/cancel"] = Batch,
        ["GET /api/v2/batches"] = Items(Batch),
        ["GET /api/v2/parse/{job_id}"] = ParseResult,
        ["GET /api/v2/parse"] = Items(ParseJob),
        ["POST /api/v2/parse"] = ParseJob,
        ["POST /api/v2/parse/{job_id}/cancel"] = ParseJob,
        ["GET /api/v2/extract/{job_id}"] = ExtractJob,
        ["GET /api/v2/extract"] = Items(ExtractJob),
        ["POST /api/v2/extract/{job_id}/cancel"] = ExtractJob,
        ["POST /api/v1/beta/directories"] = Directory,
        ["GET /api/v1/beta/directories"] = Items(Directory),
        ["GET /api/v1/beta/directories/{directory_id}"] = Directory,
        ["POST /api/v1/beta/directories/{directory_id}/files/upload"] = DirectoryFile,
        ["GET /api/v1/beta/directories/{directory_id}/files"] = Items(DirectoryFile),
        ["GET /api/v1/beta/directories/{directory_id}/files/{directory_file_id}"] = DirectoryFile,
        ["GET /api/v1/beta/files/{file_id}"] = StoredFile,
        ["GET /api/v1/beta/configurations/{config_id}"] = Configuration,
        ["POST /api/v1/beta/batch-processing"] = V1Job,
        ["GET /api/v1/beta/batch-processing"] = Items(V1Job),
        ["GET /api/v1/beta/batch-processing/{job_id}"] = [.. V1Job.Select(f => "job." + f)],
        ["GET /api/v1/beta/batch-processing/{job_id}/items"] = Items(V1Item),
        ["GET /api/v1/beta/batch-processing/items/{item_id}/processing-results"] = ["processing_results!", "processing_results[].output_metadata"],
        ["GET /api/v1/classifier/jobs/{classify_job_id}/results"] = ["items[].file_id", "items[].result", "items[].created_at", "items[].updated_at"],
    };

    /// <summary>Every field name (the last part of a path) that <c>Sandbox:Guesses:OmitOptionalFields</c> may list.</summary>
    public static readonly IReadOnlySet<string> Known = ByRoute.Values.SelectMany(paths => paths).Select(Leaf).ToHashSet(StringComparer.Ordinal);

    public static string Leaf(string path) => path[(path.LastIndexOf('.') + 1)..].TrimEnd(NeverNullMark);

    /// <summary>Whether the SDK types the path's field as never null (<c>?: T</c>, marked <c>!</c> above) rather than <c>?: T | null</c>.</summary>
    public static bool IsNeverNull(string path) => path.EndsWith(NeverNullMark);

    private static string[] Items(string[] fields) => [.. fields.Select(f => "items[]." + f)];
}

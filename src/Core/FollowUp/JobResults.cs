using System.Net;
using System.Text.Json;
using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// Looks at one job and, once it is finished, fetches its result: markdown and text for parse
/// (<c>GET /api/v2/parse/{id}?expand=markdown_full&amp;expand=text_full</c>), <c>extract_result</c> for
/// extract (<c>GET /api/v2/extract/{id}</c>), the label for a v1 classification (the item's
/// processing results). One request per look in the common case.
/// </summary>
internal sealed class JobResults(IBatchApis apis, TimeProvider time)
{
    // usage and job_metadata: what the job billed, credits and pages (docs/costs.md, "Billed").
    private static readonly string[] ParseExpand = ["markdown_full", "text_full", "usage", "job_metadata"];
    private static readonly string[] TextOnly = ["text_full", "usage", "job_metadata"];

    public async Task<JobLook> LookAsync(FollowUpWork work, FollowUpItem item, CancellationToken cancellationToken)
    {
        if (item.FileVersionId is null || item.RelativePath is null)
        {
            return new JobLook(item, LookKind.Unusable, Error: "no file version of ours matches this result's source_directory_file_id");
        }

        try
        {
            return item.JobType switch
            {
                "extract_v2" => await ExtractAsync(work, item, cancellationToken),
                BatchJobTypes.V1Classify => await ClassificationAsync(work, item, cancellationToken),
                _ => await ParseAsync(work, item, cancellationToken), // parse_v2; v1 parse items run as parse jobs
            };
        }
        catch (LlamaCloudRejectedException ex) when (ex.IsNotFound)
        {
            return new JobLook(item, LookKind.Gone, Error: $"LlamaCloud no longer has job {item.JobId} or its result (404); results are kept for a limited time");
        }
        catch (LlamaCloudException ex)
        {
            return new JobLook(item, LookKind.Error, Error: ex.Message);
        }
    }

    private async Task<JobLook> ParseAsync(FollowUpWork work, FollowUpItem item, CancellationToken cancellationToken)
    {
        var api = apis.For(work.Scope);
        ParseJobResult result;
        try
        {
            result = await api.GetParseJobAsync(item.JobId, ParseExpand, cancellationToken);
        }
        catch (LlamaCloudRejectedException ex) when (ex.StatusCode == HttpStatusCode.BadRequest)
        {
            // The fast tier has no markdown (LLAMACLOUD.md §6.2): text is all there is.
            result = await api.GetParseJobAsync(item.JobId, TextOnly, cancellationToken);
        }

        var job = result.Job;
        var billing = new JobBilling(job.Usage?.Credits, PagesOf(result.JobMetadata), job.Tier);
        return Verdict(item, job.Status, job.ErrorMessage, billing) ?? new JobLook(
            item,
            LookKind.Finished,
            job.Status,
            Document(work, item, result.MarkdownFull, result.TextFull, JsonSerializer.Serialize(job, LlamaCloudJsonContext.Default.ProductJob)),
            Billing: billing,
            Empty: string.IsNullOrWhiteSpace(result.MarkdownFull) && string.IsNullOrWhiteSpace(result.TextFull));
    }

    /// <summary>
    /// The page count in a parse job's untyped <c>job_metadata</c>: <c>job_pages</c>, as LlamaParse's job
    /// results have carried it (a guess: the SDK names no key, docs/llamacloud-api.md §11.13), or
    /// <c>page_count</c>. Numbers or numeric strings.
    /// </summary>
    public static int? PagesOf(JsonElement? metadata)
    {
        if (metadata is not { ValueKind: JsonValueKind.Object } value)
        {
            return null;
        }

        foreach (var key in (ReadOnlySpan<string>)["job_pages", "page_count"])
        {
            if (value.TryGetProperty(key, out var pages))
            {
                if (pages.ValueKind == JsonValueKind.Number && pages.TryGetInt32(out var number))
                {
                    return number;
                }

                if (pages.ValueKind == JsonValueKind.String && int.TryParse(pages.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var text))
                {
                    return text;
                }
            }
        }

        return null;
    }

    private async Task<JobLook> ExtractAsync(FollowUpWork work, FollowUpItem item, CancellationToken cancellationToken)
    {
        var job = await apis.For(work.Scope).GetExtractJobAsync(item.JobId, cancellationToken);
        var billing = new JobBilling(job.Usage?.Credits, ExtractPages(job.Metadata), null);
        var empty = job.ExtractResult is not { } result || result.ValueKind is JsonValueKind.Null
            || (result.ValueKind == JsonValueKind.Object && !result.EnumerateObject().Any())
            || (result.ValueKind == JsonValueKind.Array && result.GetArrayLength() == 0);
        return Verdict(item, job.Status, job.ErrorMessage, billing) ?? new JobLook(
            item, LookKind.Finished, job.Status, Document(work, item, null, null, job.ExtractResult?.GetRawText() ?? "null"), Billing: billing, Empty: empty);
    }

    private async Task<JobLook> ClassificationAsync(FollowUpWork work, FollowUpItem item, CancellationToken cancellationToken)
    {
        var processed = await apis.For(work.Scope).GetV1ProcessingResultsAsync(item.SourceDirectoryFileId, "classify", cancellationToken);
        var latest = processed.ProcessingResults.Where(r => r.JobType == "classify").OrderBy(r => r.ProcessedAt).LastOrDefault();
        return latest is null
            ? new JobLook(item, LookKind.Error, Error: "the classified item has no processing result yet")
            : new JobLook(item, LookKind.Finished, "completed", Document(work, item, null, null, latest.OutputMetadata?.GetRawText() ?? "null"));
    }

    /// <summary>Null when the job is COMPLETED and its result should be read.</summary>
    private static JobLook? Verdict(FollowUpItem item, string status, string? error, JobBilling? billing = null) => status.ToUpperInvariant() switch
    {
        "COMPLETED" => null,
        "FAILED" => new JobLook(item, LookKind.JobFailed, status, Error: error ?? "the job failed without a message", Billing: billing),
        "CANCELLED" => new JobLook(item, LookKind.JobCancelled, status, Error: "the job was cancelled", Billing: billing),
        _ => new JobLook(item, LookKind.Waiting, status),
    };

    /// <summary><c>metadata.usage.num_pages_billed</c> of an extract job (SDK 2.16.0 <c>ExtractJobUsage</c>).</summary>
    private static int? ExtractPages(JsonElement? metadata) =>
        metadata is { ValueKind: JsonValueKind.Object } value && value.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object
            && usage.TryGetProperty("num_pages_billed", out var pages) && pages.TryGetInt32(out var number) ? number : null;

    private FollowUpDocument Document(FollowUpWork work, FollowUpItem item, string? markdown, string? text, string resultJson) => new(
        item.FileVersionId!.Value, work.BatchId, work.Source, item.RelativePath!, item.JobType, item.JobId, markdown, text, resultJson, item.Superseded, time.GetUtcNow());
}

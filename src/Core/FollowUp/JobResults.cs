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
    private static readonly string[] ParseExpand = ["markdown_full", "text_full"];
    private static readonly string[] TextOnly = ["text_full"];

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
        catch (LlamaCloudTransientException ex) when (ex is { Deferred: true, RetryAfter: { } wait })
        {
            // A pause or a long rate-limit wait is nobody's failure: it must not use up the reference's attempts.
            return new JobLook(item, LookKind.Deferred, Error: ex.Message) { RetryAfter = wait };
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
            // The fast tier has no markdown (docs/llamacloud-api.md §6.2): text is all there is.
            result = await api.GetParseJobAsync(item.JobId, TextOnly, cancellationToken);
        }

        var job = result.Job;
        return Verdict(item, job.Status, job.ErrorMessage) ?? new JobLook(
            item,
            LookKind.Finished,
            job.Status,
            Document(work, item, result.MarkdownFull, result.TextFull, JsonSerializer.Serialize(job, LlamaCloudJsonContext.Default.ProductJob)));
    }

    private async Task<JobLook> ExtractAsync(FollowUpWork work, FollowUpItem item, CancellationToken cancellationToken)
    {
        var job = await apis.For(work.Scope).GetExtractJobAsync(item.JobId, cancellationToken);
        return Verdict(item, job.Status, job.ErrorMessage) ?? new JobLook(
            item, LookKind.Finished, job.Status, Document(work, item, null, null, job.ExtractResult?.GetRawText() ?? "null"));
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
    private static JobLook? Verdict(FollowUpItem item, string status, string? error) => status.ToUpperInvariant() switch
    {
        "COMPLETED" => null,
        "FAILED" => new JobLook(item, LookKind.JobFailed, status, Error: error ?? "the job failed without a message"),
        "CANCELLED" => new JobLook(item, LookKind.JobCancelled, status, Error: "the job was cancelled"),
        _ => new JobLook(item, LookKind.Waiting, status),
    };

    private FollowUpDocument Document(FollowUpWork work, FollowUpItem item, string? markdown, string? text, string resultJson) => new(
        item.FileVersionId!.Value, work.BatchId, work.Source, item.RelativePath!, item.JobType, item.JobId, markdown, text, resultJson, item.Superseded, time.GetUtcNow());
}

using System.Net;
using System.Text.Json;
using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// Looks at one job and, once it is finished, fetches its result: markdown and text for parse
/// (<c>GET /api/v2/parse/{id}</c>, <see cref="ParseExpand"/>), <c>extract_result</c> for extract
/// (<c>GET /api/v2/extract/{id}</c>), the label for a v1 classification (its classifier job's results).
/// When the job's status is already known (read in bulk by <see cref="IJobStatuses"/>), a job still
/// running or failed costs no request at all, and a finished one costs one.
/// </summary>
internal sealed class JobResults(IBatchApis apis, IKeptResults kept, TimeProvider time)
{
    /// <summary>
    /// The whole document as one markdown and one text string. The SDK types both as response fields "if
    /// requested" but leaves them out of its list of expand values, which only a docs page names (docs/llamacloud-api.md
    /// §6.2): so when a finished job's answer has neither, the pages (<c>markdown</c>, <c>text</c>, both in the
    /// SDK's list) are asked for instead and joined. usage and job_metadata: what the job billed, credits and
    /// pages (docs/costs.md, "Billed against expected"). markdown: the pages, in the same request, because only the
    /// per-page forms say which pages failed in a job that still COMPLETED (<see cref="FailedPages"/>); it doubles the
    /// markdown in the answer but costs no request of its own, and stands in for markdown_full when that is missing.
    /// </summary>
    private static readonly string[] ParseExpand = ["markdown_full", "text_full", "markdown", "usage", "job_metadata"];
    private static readonly string[] TextOnly = ["text_full", "usage", "job_metadata"];
    private static readonly string[] TextPagesOnly = ["text"];
    private static readonly string[] BillExpand = ["usage", "job_metadata"];
    private const string FastTier = "fast";

    /// <summary>How long a look still throttled after its call's retries waits at least, when LlamaCloud names no longer wait.</summary>
    private static readonly TimeSpan ThrottledLookWait = TimeSpan.FromSeconds(30);

    public Task<JobLook> LookAsync(FollowUpWork work, FollowUpItem item, CancellationToken cancellationToken) =>
        LookAsync(work, item, known: null, cancellationToken);

    public async Task<JobLook> LookAsync(FollowUpWork work, FollowUpItem item, JobStatus? known, CancellationToken cancellationToken)
    {
        if (known is not null && Verdict(item, known.Status, known.ErrorMessage) is { } settled)
        {
            return settled; // still running, failed or cancelled: nothing to fetch
        }

        try
        {
            if (item.FileVersionId is null || item.RelativePath is null)
            {
                // No file of ours to deliver to (a RemoteOnly directory's file), but what its job came to is still said: one
                // that failed counts as a failed file, not as a success, and one still running is looked at again. A status
                // the list did not give (its call failed, or it left the job out) is read from the job alone, as for our own.
                var status = known ?? await JobStatuses.ReadOneAsync(apis.For(work.Scope), item.JobType, item.JobId, cancellationToken);
                return status is not null && Verdict(item, status.Status, status.ErrorMessage) is { } verdict
                    ? verdict
                    : new JobLook(item, LookKind.Unusable, status?.Status, Error: "no file version of ours matches this result's source_directory_file_id");
            }

            return item.JobType switch
            {
                "extract_v2" => await ExtractAsync(work, item, cancellationToken),
                BatchJobTypes.V1Classify => await ClassificationAsync(work, item, cancellationToken),
                _ => await ParseAsync(work, item, cancellationToken), // parse_v2; v1 parse items run as parse jobs
            };
        }
        catch (LlamaCloudRejectedException ex) when (ex.IsNotFound)
        {
            // Only copies wait for this reference: its own result was delivered, which is when remote hygiene may delete
            // the job. A sink that kept that result gives it to them.
            if (item is { CopiesOnly: true, FileVersionId: { } version } && await kept.FindAsync(version, item.JobId, cancellationToken) is { } result)
            {
                return new JobLook(item, LookKind.Finished, "COMPLETED", Document(work, item, result.Markdown, result.Text, result.ResultJson) with
                {
                    FailedPages = result.FailedPages,
                    FailedPageError = result.FailedPageError,
                });
            }

            return new JobLook(item, LookKind.Gone, Error: $"LlamaCloud no longer has job {item.JobId} or its result (404): it expired, or remote hygiene deleted it, and no sink kept it");
        }
        catch (LlamaCloudTransientException ex) when (ex.StatusCode == HttpStatusCode.TooManyRequests)
        {
            // Still throttled once the call's own retries are spent (no Retry-After, or a short one): rate-limited, not
            // failed. Counted as a failed look, every item of every chunk spent an attempt, and a minute or two of 429s
            // ended jobs LlamaCloud had finished and billed as FollowUpFailed, their results never delivered.
            return new JobLook(item, LookKind.Deferred, Error: ex.Message) { RetryAfter = ex.RetryAfter > ThrottledLookWait ? ex.RetryAfter : ThrottledLookWait };
        }
        catch (LlamaCloudTransientException ex) when (ex.OpenedTheCircuit)
        {
            // This look's read opened the circuit again, as it did last time, though the service answered another request
            // between: a result whose read always fails (a 5xx or a timeout for that job alone) paused the project after every
            // probe, for good, its look never counted. So it counts, and the reference ends FollowUpFailed once its attempts
            // are used up. An outage answers nothing between its openings, and its looks wait without counting, as before.
            return new JobLook(item, LookKind.Error, Error: ex.Message);
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
        var (result, refused) = await GetParseAsync(api, item.JobId, ParseExpand, TextOnly, cancellationToken);
        var job = result.Job;
        // A fast-tier job has no markdown, whether the service refuses to be asked for it or answers without it: the SDK
        // types it as optional and names no refusal (docs/llamacloud-api.md §6.2). Told by the refusal alone, an answer
        // without markdown was asked for again, then looked at again until its attempts ran out, and nothing delivered.
        // A refusal alone says so only when the answer names no tier: a 422 is also FastAPI's answer to any query value it
        // drops, and taken for the fast tier it would deliver every job without markdown.
        var fast = string.Equals(job.Tier, FastTier, StringComparison.OrdinalIgnoreCase) || (refused && job.Tier is null);
        var billing = new JobBilling(job.Usage?.Credits, PagesOf(result.JobMetadata), job.Tier);
        if (Verdict(item, job.Status, job.ErrorMessage, billing) is { } notDone)
        {
            return notDone;
        }

        var markdown = result.MarkdownFull ?? JoinPages(result.Markdown, p => p.Markdown);
        var text = result.TextFull;
        var (failedPages, firstError) = FailedPages.Of(result.Markdown, result.Text);
        if ((markdown is null && !fast) || text is null)
        {
            string[] pages = [.. (markdown is null && !fast ? ["markdown"] : Array.Empty<string>()), .. (text is null ? ["text"] : Array.Empty<string>())];
            var (again, _) = await GetParseAsync(api, item.JobId, pages, TextPagesOnly, cancellationToken);
            markdown ??= JoinPages(again.Markdown, p => p.Markdown);
            text ??= JoinPages(again.Text, p => p.Text);
            if (failedPages.Count == 0)
            {
                (failedPages, firstError) = FailedPages.Of(again.Markdown, again.Text);
            }
        }

        if (text is null || (markdown is null && !fast))
        {
            // A finished job whose answer lacks some of its content in every form: look again later rather than store less.
            return new JobLook(item, LookKind.Error, job.Status, Error: $"parse job {item.JobId} is {job.Status} but its answer has no {(text is null ? "text" : "markdown")} yet");
        }

        return new JobLook(
            item,
            LookKind.Finished,
            job.Status,
            Document(work, item, markdown, text, JsonSerializer.Serialize(job, LlamaCloudJsonContext.Default.ProductJob)) with
            {
                FailedPages = failedPages,
                FailedPageError = firstError,
            },
            Billing: billing,
            Empty: string.IsNullOrWhiteSpace(markdown) && string.IsNullOrWhiteSpace(text));
    }

    /// <summary>
    /// What a job that ended has billed by now, for a look at its late bill (docs/costs.md, "Late bills"): the job alone,
    /// with its usage and no content, one request. Null for a job whose answers carry no usage (a v1 classification).
    /// </summary>
    public async Task<JobBilling?> BillingAsync(FollowUpWork work, FollowUpItem item, CancellationToken cancellationToken)
    {
        var api = apis.For(work.Scope);
        switch (item.JobType)
        {
            case "extract_v2":
                var extract = await api.GetExtractJobAsync(item.JobId, cancellationToken);
                return new JobBilling(extract.Usage?.Credits, ExtractPages(extract.Metadata), extract.Configuration?.Tier, extract.ConfigurationId);
            case BatchJobTypes.V1Classify:
                return null;
            default:
                var parse = await api.GetParseJobAsync(item.JobId, BillExpand, cancellationToken);
                return new JobBilling(parse.Job.Usage?.Credits, PagesOf(parse.JobMetadata), parse.Job.Tier);
        }
    }

    /// <summary>
    /// The job with the expansions asked for, and whether they were refused. The fast tier has no markdown (docs/llamacloud-api.md
    /// §6.2): a refusal of the request's form (400, or 422 as FastAPI refuses a value) asks for text alone.
    /// </summary>
    private static async Task<(ParseJobResult Result, bool Refused)> GetParseAsync(
        IBatchApi api, string jobId, string[] expand, string[] textOnly, CancellationToken cancellationToken)
    {
        try
        {
            return (await api.GetParseJobAsync(jobId, expand, cancellationToken), false);
        }
        catch (LlamaCloudRejectedException ex) when (ex.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity)
        {
            return (await api.GetParseJobAsync(jobId, textOnly, cancellationToken), true);
        }
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

    private static string? JoinPages(ParsePages? pages, Func<ParsePage, string?> content) =>
        pages?.Pages is { Count: > 0 } list ? string.Join("\n\n", list.Select(p => p.Success == false ? null : content(p)).Where(c => c is not null)) : null;

    private async Task<JobLook> ExtractAsync(FollowUpWork work, FollowUpItem item, CancellationToken cancellationToken)
    {
        var job = await apis.For(work.Scope).GetExtractJobAsync(item.JobId, cancellationToken);
        var billing = new JobBilling(job.Usage?.Credits, ExtractPages(job.Metadata), job.Configuration?.Tier, job.ConfigurationId);
        if (Verdict(item, job.Status, job.ErrorMessage, billing) is { } notDone)
        {
            return notDone;
        }

        // extract_result is optional in the SDK's type (docs/llamacloud-api.md §7): a finished job without it
        // is looked at again later, never recorded as an empty result; an empty object or array is empty content.
        if (job.ExtractResult is not { } extracted || extracted.ValueKind is JsonValueKind.Null)
        {
            return new JobLook(item, LookKind.Error, job.Status, Error: $"extract job {item.JobId} is {job.Status} but its answer has no extract_result yet");
        }

        var empty = (extracted.ValueKind == JsonValueKind.Object && !extracted.EnumerateObject().Any())
            || (extracted.ValueKind == JsonValueKind.Array && extracted.GetArrayLength() == 0);
        return new JobLook(item, LookKind.Finished, job.Status, Document(work, item, null, null, extracted.GetRawText()), Billing: billing, Empty: empty);
    }

    /// <summary>
    /// A v1 classification's label is in its classifier job's results (the item's <c>job_id</c>), entry
    /// <c>result.type</c>: the only place the SDK's types carry one. The processing results'
    /// <c>output_metadata</c> is documented as "currently empty", so it is not read (docs/llamacloud-api.md §3.2).
    /// </summary>
    private async Task<JobLook> ClassificationAsync(FollowUpWork work, FollowUpItem item, CancellationToken cancellationToken)
    {
        var results = await apis.For(work.Scope).GetClassifierResultsAsync(item.JobId, cancellationToken);
        var entries = (results.Items ?? []).Where(e => e.Result is not null).ToList();

        // Our entry: the one naming the item's file, or the only one (a classifier job per item, §11.12).
        var entry = entries.FirstOrDefault(e => e.FileId == item.SourceDirectoryFileId || e.FileId == item.StoredFileId)
            ?? (entries.Count == 1 ? entries[0] : null);
        return entry?.Result is { } label
            ? new JobLook(item, LookKind.Finished, "completed", Document(work, item, null, null, JsonSerializer.Serialize(label, LlamaCloudJsonContext.Default.ClassifyResult)))
            : new JobLook(item, LookKind.Error, Error: $"classifier job {item.JobId} has no classification for {item.SourceDirectoryFileId} yet");
    }

    /// <summary>Null when the job is COMPLETED and its result should be read; a status unknown, or none in the answer, is still waiting.</summary>
    private static JobLook? Verdict(FollowUpItem item, string? status, string? error, JobBilling? billing = null) => status?.ToUpperInvariant() switch
    {
        "COMPLETED" => null,
        "FAILED" => new JobLook(item, LookKind.JobFailed, status, Error: error ?? "the job failed without a message", Billing: billing),
        "CANCELLED" => new JobLook(item, LookKind.JobCancelled, status, Error: "the job was cancelled", Billing: billing),
        _ => new JobLook(item, LookKind.Waiting, status),
    };

    /// <summary>
    /// <c>metadata.usage.num_pages_billed</c> of an extract job (SDK 2.16.0 <c>ExtractJobUsage</c>), typed
    /// <c>number | null</c>: a null is no page count, not a fault.
    /// </summary>
    private static int? ExtractPages(JsonElement? metadata) =>
        metadata is { ValueKind: JsonValueKind.Object } value && value.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object
            && usage.TryGetProperty("num_pages_billed", out var pages) && pages.ValueKind == JsonValueKind.Number && pages.TryGetInt32(out var number) ? number : null;

    private FollowUpDocument Document(FollowUpWork work, FollowUpItem item, string? markdown, string? text, string resultJson) => new(
        item.FileVersionId!.Value, work.BatchId, work.Source, item.RelativePath!, item.JobType, item.JobId, markdown, text, resultJson, item.Superseded, time.GetUtcNow());
}

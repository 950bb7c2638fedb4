using System.Globalization;
using BatchOrchestrator.Sandbox.Faults;
using Microsoft.AspNetCore.Mvc;

namespace BatchOrchestrator.Sandbox.V1Batches;

/// <summary>
/// Legacy v1 batch-processing reads and cancel (docs/llamacloud-api.md §3.2): list, get with
/// progress_percentage, items with statuses and skip reasons, processing-results, cancel.
/// Lists page by limit/offset and answer <c>{"items": [...], "total_size": n}</c>.
/// </summary>
internal static class V1Endpoints
{
    private const string Route = "/api/v1/beta/batch-processing";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(Route, List);
        app.MapGet(Route + "/{job_id}", Get);
        app.MapGet(Route + "/{job_id}/items", Items);
        app.MapGet(Route + "/items/{item_id}/processing-results", ProcessingResults);
        app.MapPost(Route + "/{job_id}/cancel", CancelAsync);
    }

    private static IResult List(HttpRequest request, RequestProject project, SandboxState state, SandboxOptions options, FaultState faults)
    {
        var issues = new List<ValidationIssue>();
        var status = Query.Literal(request, "status", V1Status.JobStatuses, issues);
        var jobType = Query.Literal(request, "job_type", V1Status.JobTypes, issues);
        var (limit, offset) = LimitOffset(request, options.Guesses, issues);
        if (issues.Count > 0)
        {
            return ApiErrors.Validation(issues);
        }

        var directoryId = Query.Single(request, "directory_id");
        lock (state.Gate)
        {
            var matches = state.V1Jobs.In(project.Id)
                .Where(j => (status is null || j.Status == status) && (jobType is null || j.JobType == jobType) && (directoryId is null || j.DirectoryId == directoryId))
                .OrderBy(j => options.Guesses.V1ListOldestFirst ? j.Sequence : -j.Sequence) // the order is not documented (§11.14)
                .ToList();
            var page = new V1Page<V1JobDto>([.. Listed(matches, faults).Skip(offset).Take(limit).Select(j => j.ToDto())], matches.Count);
            return TypedResults.Json(page, SandboxJsonContext.Default.V1PageV1JobDto);
        }
    }

    private static IResult Get([FromRoute(Name = "job_id")] string jobId, RequestProject project, SandboxState state)
    {
        lock (state.Gate)
        {
            return state.V1Jobs.TryGet(project.Id, jobId, out var job)
                ? TypedResults.Json(new V1JobStatusDto(job.ToDto(), job.Progress), SandboxJsonContext.Default.V1JobStatusDto)
                : ApiErrors.NotFound("Batch job", jobId);
        }
    }

    private static IResult Items(
        [FromRoute(Name = "job_id")] string jobId, HttpRequest request, RequestProject project, SandboxState state, SandboxOptions options, FaultState faults)
    {
        var issues = new List<ValidationIssue>();
        var status = Query.Literal(request, "status", V1Status.ItemStatuses, issues);
        var (limit, offset) = LimitOffset(request, options.Guesses, issues);
        if (issues.Count > 0)
        {
            return ApiErrors.Validation(issues);
        }

        lock (state.Gate)
        {
            if (!state.V1Jobs.TryGet(project.Id, jobId, out var job))
            {
                return ApiErrors.NotFound("Batch job", jobId);
            }

            var matches = job.Items.Where(i => status is null || i.Status == status).ToList();
            var page = new V1Page<V1ItemDto>([.. Listed(matches, faults).Skip(offset).Take(limit).Select(i => i.ToDto())], matches.Count);
            return TypedResults.Json(page, SandboxJsonContext.Default.V1PageV1ItemDto);
        }
    }

    // The fault V1ListsEndAfter: a list that ends early while its total_size counts every entry.
    private static IEnumerable<T> Listed<T>(List<T> matches, FaultState faults) =>
        faults.Current.V1ListsEndAfter is > 0 and var shown ? matches.Take(shown) : matches;

    /// <summary>Every completed processing of the item across jobs: what already_processed skips point back to.</summary>
    private static IResult ProcessingResults([FromRoute(Name = "item_id")] string itemId, HttpRequest request, RequestProject project, SandboxState state)
    {
        var issues = new List<ValidationIssue>();
        var jobType = Query.Literal(request, "job_type", V1Status.JobTypes, issues);
        if (issues.Count > 0)
        {
            return ApiErrors.Validation(issues);
        }

        lock (state.Gate)
        {
            var occurrences = state.V1Jobs.In(project.Id)
                .OrderBy(j => j.Sequence)
                .SelectMany(j => j.Items.Where(i => i.ItemId == itemId).Select(i => (Job: j, Item: i)))
                .ToList();
            if (occurrences.Count == 0)
            {
                return ApiErrors.NotFound("Item", itemId);
            }

            var results = occurrences
                .Where(o => o.Item.Status == V1Status.Completed && (jobType is null || o.Job.JobType == jobType))
                .Select(o => new V1ProcessingResultDto(
                    $"{o.Job.Id}:{o.Item.ItemId}",
                    o.Item.ItemId,
                    o.Job.JobType,
                    o.Job.JobConfig,
                    $"s3://llamacloud-sandbox/{o.Job.ProjectId}/{o.Job.Id}/{o.Item.ItemId}.json",
                    o.Job.ParametersHash,
                    o.Item.CompletedAt,
                    o.Item.OutputMetadata))
                .ToList();
            var dto = new V1ProcessingResultsDto(itemId, occurrences[^1].Item.ItemName, results);
            return TypedResults.Json(dto, SandboxJsonContext.Default.V1ProcessingResultsDto);
        }
    }

    /// <summary>"Stops processing and marks pending items as cancelled. Items currently being processed may still complete."</summary>
    private static async Task<IResult> CancelAsync(
        [FromRoute(Name = "job_id")] string jobId, HttpRequest request, RequestProject project, SandboxState state, SandboxOptions options, SandboxCounters counters)
    {
        var (body, error) = await JsonBody.ReadAsync(request, required: false);
        if (error is not null)
        {
            return error;
        }

        var v = new BodyValidator();
        v.RequireObject(body); // an empty body is no parameters; a JSON body other than an object is no BatchCancelParams
        var reason = v.String(body, "reason", required: false); // "reason?: string | null"
        if (!v.IsValid)
        {
            return v.ToResult();
        }

        lock (state.Gate)
        {
            if (!state.V1Jobs.TryGet(project.Id, jobId, out var job))
            {
                return ApiErrors.NotFound("Batch job", jobId);
            }

            if (V1Status.IsTerminalJob(job.Status))
            {
                return ApiErrors.Detail(options.Guesses.CancelTerminalStatus, $"Batch job {jobId} is {job.Status} and cannot be cancelled");
            }

            foreach (var item in job.Items.Where(i => i.Status == V1Status.Pending))
            {
                item.Status = V1Status.Cancelled;
            }

            job.Status = V1Status.Cancelled;
            job.ErrorMessage = reason is null ? "Cancelled by user" : $"Cancelled: {reason}";
            job.CompletedAt = job.UpdatedAt = state.Now;
            counters.Add(Counter.V1BatchCancels);
            var dto = job.ToDto();
            return TypedResults.Json(new V1CancelDto(job.Id, "Batch job cancelled", dto.ProcessedItems, V1Status.Cancelled), SandboxJsonContext.Default.V1CancelDto);
        }
    }

    /// <summary>
    /// The <c>limit</c> has no documented maximum (TypeScript SDK 2.13.0 <c>core/pagination.d.ts</c>,
    /// <c>PaginatedBatchItemsParams</c>; docs/llamacloud-api.md §1.3): the largest and what a larger one gets are
    /// guesses (<see cref="SandboxGuesses.V1ListMaxLimit"/>, <see cref="SandboxGuesses.V1ListRefusesOverLimit"/>).
    /// </summary>
    private static (int Limit, int Offset) LimitOffset(HttpRequest request, SandboxGuesses guesses, List<ValidationIssue> issues)
    {
        int Read(string name, int fallback, int minimum)
        {
            var text = Query.LastAsSent(request, name); // "" is no integer: a 422, not the default
            if (text is null)
            {
                return fallback;
            }

            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                issues.Add(Query.IntParsing.At("query", name));
                return fallback;
            }

            if (value < minimum) // the minimums are the Sandbox's: a count of items, an index (no SDK states one)
            {
                issues.Add(Refusal.GreaterThanEqual(minimum).At("query", name));
                return fallback;
            }

            return value;
        }

        var limit = Read("limit", Math.Min(100, guesses.V1ListMaxLimit), 1);
        if (limit > guesses.V1ListMaxLimit && guesses.V1ListRefusesOverLimit)
        {
            issues.Add(Refusal.LessThanEqual(guesses.V1ListMaxLimit).At("query", "limit"));
        }

        return (Math.Min(limit, guesses.V1ListMaxLimit), Read("offset", 0, 0));
    }
}

using Microsoft.AspNetCore.Mvc;

namespace BatchOrchestrator.Sandbox.Batches;

/// <summary>GET, list and cancel v2 batches (docs/llamacloud-api.md §2.3–§2.5).</summary>
internal static class BatchEndpoints
{
    private const string Route = "/api/v2/batches";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(Route + "/{batch_id}", Get);
        app.MapGet(Route, List);
        app.MapPost(Route + "/{batch_id}/cancel", Cancel);
    }

    private static IResult Get([FromRoute(Name = "batch_id")] string batchId, HttpRequest request, RequestProject project, SandboxState state, SandboxCounters counters)
    {
        var expand = Query.List(request, "expand").Contains("results");
        lock (state.Gate)
        {
            if (!state.Batches.TryGet(project.Id, batchId, out var batch))
            {
                return ApiErrors.NotFound("Batch", batchId);
            }

            counters.Add(Counter.BatchGets);
            return TypedResults.Json(batch.ToDto(expand), SandboxJsonContext.Default.BatchDto);
        }
    }

    private static IResult List(HttpRequest request, RequestProject project, SandboxState state, SandboxOptions options)
    {
        var issues = new List<ValidationIssue>();
        var page = Paging.Read(request, issues);
        var status = Query.Literal(request, "status", BatchStatus.All, issues);
        Query.TryTimestamp(request, "created_at_on_or_after", issues, out var after);
        Query.TryTimestamp(request, "created_at_on_or_before", issues, out var before);
        if (issues.Count > 0 || page is null)
        {
            return ApiErrors.Validation(issues);
        }

        var directoryId = Query.Single(request, "source_directory_id");
        lock (state.Gate)
        {
            if (directoryId is not null && options.Guesses.BatchListOfGoneDirectoryNotFound && !state.Directories.TryGet(project.Id, directoryId, out _))
            {
                return ApiErrors.NotFound("Directory", directoryId);
            }

            var matches = state.Batches.In(project.Id).Where(b =>
                (directoryId is null || b.SourceDirectoryId == directoryId)
                && (status is null || b.Status == status)
                && (after is null || b.CreatedAt >= after)
                && (before is null || b.CreatedAt <= before));
            var result = Paging.BySequence(matches, newestFirst: true, page, b => b.ToDto(expandResults: false));
            return TypedResults.Json(result, SandboxJsonContext.Default.CursorPageBatchDto);
        }
    }

    /// <summary>"Returns immediately; the batch reaches CANCELLED once processing stops" (SDK batches.ts).</summary>
    private static IResult Cancel([FromRoute(Name = "batch_id")] string batchId, RequestProject project, SandboxState state, SandboxOptions options, SandboxCounters counters)
    {
        lock (state.Gate)
        {
            if (!state.Batches.TryGet(project.Id, batchId, out var batch))
            {
                return ApiErrors.NotFound("Batch", batchId);
            }

            if (BatchStatus.IsTerminal(batch.Status))
            {
                // "A batch in a terminal status cannot be cancelled"; the status code is a guess (§11.2).
                return ApiErrors.Detail(options.Guesses.CancelTerminalStatus, $"Batch {batchId} is {batch.Status} and cannot be cancelled");
            }

            batch.CancelRequested = true;
            counters.Add(Counter.BatchCancels);
            return TypedResults.Json(batch.ToDto(expandResults: false), SandboxJsonContext.Default.BatchDto);
        }
    }
}

using BatchOrchestrator.Sandbox.Processing;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace BatchOrchestrator.Sandbox.Parse;

/// <summary>Parse v2 jobs: get with expand, list, cancel, delete, versions (docs/llamacloud-api.md §6.1).</summary>
internal static class ParseEndpoints
{
    private const string Route = "/api/v2/parse";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(Route + "/versions", Versions);
        app.MapGet(Route + "/{job_id}", Get);
        app.MapGet(Route, List);
        app.MapPost(Route + "/{job_id}/cancel", Cancel);
        app.MapDelete(Route + "/{job_id}", Delete);
    }

    private static IResult Get([FromRoute(Name = "job_id")] string jobId, HttpRequest request, RequestProject project, SandboxState state, JobProcessor processor, SandboxCounters counters, SandboxOptions options)
    {
        var expand = Query.List(request, "expand").ToHashSet(StringComparer.Ordinal);
        lock (state.Gate)
        {
            if (!state.ParseJobs.TryGet(project.Id, jobId, out var job))
            {
                return ApiErrors.NotFound("Parse job", jobId);
            }

            if (job.Tier == "fast" && ParseResultBuilder.NotOnFastTier.FirstOrDefault(expand.Contains) is { } unavailable)
            {
                if (options.Guesses.FastTierMarkdownStatus != StatusCodes.Status200OK)
                {
                    return ApiErrors.Detail(options.Guesses.FastTierMarkdownStatus, $"'{unavailable}' is not available on the fast tier; request text instead");
                }

                expand.ExceptWith(ParseResultBuilder.NotOnFastTier);
            }

            counters.Add(Counter.ParseJobGets);
            var output = job.Status == JobStatus.Completed ? processor.OutputOf(job) : null;
            return TypedResults.Json(ParseResultBuilder.Build(job, output, expand, options.Guesses.ListFailedTextPages), SandboxJsonContext.Default.ParseResultDto);
        }
    }

    private static IResult List(HttpRequest request, RequestProject project, SandboxState state)
    {
        var issues = new List<ValidationIssue>();
        var page = Paging.Read(request, issues);
        var status = Query.Literal(request, "status", JobStatus.All, issues);
        Query.TryTimestamp(request, "created_at_on_or_after", issues, out var after);
        Query.TryTimestamp(request, "created_at_on_or_before", issues, out var before);
        if (issues.Count > 0 || page is null)
        {
            return ApiErrors.Validation(issues);
        }

        var ids = Query.List(request, "job_ids");
        lock (state.Gate)
        {
            var matches = state.ParseJobs.In(project.Id).Where(j =>
                (status is null || j.Status == status)
                && (ids.Count == 0 || ids.Contains(j.Id, StringComparer.Ordinal))
                && (after is null || j.CreatedAt >= after)
                && (before is null || j.CreatedAt <= before));
            var result = Paging.BySequence(matches, newestFirst: true, page, j => j.ToDto(expandUsage: false));
            return TypedResults.Json(result, SandboxJsonContext.Default.CursorPageParseJobDto);
        }
    }

    /// <summary>"Jobs already in a terminal state (COMPLETED, FAILED, CANCELLED) cannot be cancelled" (SDK parsing.ts): 409, or <c>Guesses:CancelTerminalStatus</c>.</summary>
    private static IResult Cancel(
        [FromRoute(Name = "job_id")] string jobId, RequestProject project, SandboxState state, SandboxOptions options, JobProcessor processor, SandboxCounters counters)
    {
        lock (state.Gate)
        {
            if (!state.ParseJobs.TryGet(project.Id, jobId, out var job))
            {
                return ApiErrors.NotFound("Parse job", jobId);
            }

            if (JobStatus.IsTerminal(job.Status))
            {
                // The SDK says only that it "cannot be cancelled": the status code is a guess (§11.2), as for a batch.
                return ApiErrors.Detail(options.Guesses.CancelTerminalStatus, $"Parse job {jobId} is {job.Status} and cannot be cancelled");
            }

            processor.Move(job, JobStatus.Cancelled, state.Step);
            counters.Add(Counter.ParseJobCancels);
            return TypedResults.Json(job.ToDto(expandUsage: false), SandboxJsonContext.Default.ParseJobDto);
        }
    }

    /// <summary>"The job must be in a terminal state"; answers with the deleted job's identifiers (SDK parsing.ts).</summary>
    private static IResult Delete([FromRoute(Name = "job_id")] string jobId, RequestProject project, SandboxState state, SandboxCounters counters)
    {
        lock (state.Gate)
        {
            if (!state.ParseJobs.TryGet(project.Id, jobId, out var job))
            {
                return ApiErrors.NotFound("Parse job", jobId);
            }

            if (!JobStatus.IsTerminal(job.Status))
            {
                return ApiErrors.Conflict($"Parse job {jobId} is {job.Status}; cancel it before deleting it");
            }

            state.ParseJobs.Remove(project.Id, jobId);
            counters.Add(Counter.ParseJobDeletes);
            return TypedResults.Json(new DeletedJobDto(job.Id, job.ProjectId), SandboxJsonContext.Default.DeletedJobDto);
        }
    }

    /// <summary>The dated versions per tier and what <c>latest</c> resolves to (<see cref="ParseVersions"/>).</summary>
    private static JsonHttpResult<ParseVersionsDto> Versions()
        => TypedResults.Json(
            new ParseVersionsDto(
                ParseVersions.ByTier["fast"], ParseVersions.ByTier["cost_effective"], ParseVersions.ByTier["agentic"], ParseVersions.ByTier["agentic_plus"], ParseVersions.Latest),
            SandboxJsonContext.Default.ParseVersionsDto);
}

/// <summary>Identifiers of a deleted parse job.</summary>
internal sealed record DeletedJobDto(string Id, string ProjectId);

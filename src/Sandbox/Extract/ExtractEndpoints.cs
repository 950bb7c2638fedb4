using BatchOrchestrator.Sandbox.Configurations;
using BatchOrchestrator.Sandbox.Files;
using BatchOrchestrator.Sandbox.Parse;
using BatchOrchestrator.Sandbox.Processing;
using BatchOrchestrator.Sandbox.Webhooks;
using Microsoft.AspNetCore.Mvc;

namespace BatchOrchestrator.Sandbox.Extract;

/// <summary>Extract v2 jobs: create, get, list, cancel, delete (docs/llamacloud-api.md §7).</summary>
internal static class ExtractEndpoints
{
    private const string Route = "/api/v2/extract";
    private static readonly IReadOnlyList<string> ListStatuses = [.. JobStatus.All, "THROTTLED"];
    private static readonly IReadOnlySet<string> ListExpands = new HashSet<string>(StringComparer.Ordinal) { "configuration", "extract_metadata" };

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost(Route, CreateAsync);
        app.MapGet(Route + "/{job_id}", Get);
        app.MapGet(Route, List);
        app.MapPost(Route + "/{job_id}/cancel", Cancel);
        app.MapDelete(Route + "/{job_id}", Delete);
    }

    /// <summary>Exactly one of configuration_id (a saved extract configuration) or an inline configuration.</summary>
    private static async Task<IResult> CreateAsync(HttpRequest request, RequestProject project, SandboxState state, SandboxOptions options, ConfigurationCatalog catalog, JobFactory jobs)
    {
        var (body, error) = await JsonBody.ReadAsync(request);
        if (error is not null)
        {
            return error;
        }

        var v = new BodyValidator();
        v.RequireObject(body);
        BodyFields.Check(v, body, options.Guesses, BodyFields.ExtractCreate);
        var fileInput = v.NonEmptyString(body, "file_input", required: true);
        var configurationId = v.String(body, "configuration_id", required: false);
        var inline = v.Object(body, "configuration", required: false);
        if ((configurationId is null) == (inline is null))
        {
            v.Add("value_error", "Provide exactly one of configuration_id or configuration", "configuration");
        }

        if (inline is not null)
        {
            ConfigurationParameters.ValidateExtract(inline.Value, v, "configuration");
        }

        lock (state.Gate)
        {
            var webhooks = WebhookConfigurations.Read(body, v, state, project.Id, WebhookFieldTypes.BatchOrExtract.Inline(options.Guesses));
            if (inline is not null)
            {
                catalog.CheckParseConfigId(project.Id, inline.Value, v, "configuration");
            }

            var saved = configurationId is null ? null : catalog.ExtractParameters(project.Id, configurationId);
            if (configurationId is not null && saved is null)
            {
                v.Add("value_error", $"Extract configuration '{configurationId}' not found", "configuration_id");
            }

            if (!v.IsValid)
            {
                return v.ToResult();
            }

            var content = DocumentSources.Resolve(state, project.Id, fileInput!, allowParseJob: true);
            if (content is null)
            {
                return ApiErrors.NotFound("File input", fileInput!);
            }

            var job = jobs.CreateExtract(project.Id, content, content.FileName, fileInput!, configurationId, (saved ?? inline)!.Value, webhooks);
            return TypedResults.Json(job.ToDto([]), SandboxJsonContext.Default.ExtractJobDto);
        }
    }

    private static IResult Get([FromRoute(Name = "job_id")] string jobId, HttpRequest request, RequestProject project, SandboxState state, SandboxCounters counters)
    {
        var expand = Query.List(request, "expand");
        lock (state.Gate)
        {
            if (!state.ExtractJobs.TryGet(project.Id, jobId, out var job))
            {
                return ApiErrors.NotFound("Extract job", jobId);
            }

            counters.Add(Counter.ExtractJobGets);
            return TypedResults.Json(job.ToDto(expand), SandboxJsonContext.Default.ExtractJobDto);
        }
    }

    /// <summary>"Results are newest-first" (docs/llamacloud-api.md §7).</summary>
    private static IResult List(HttpRequest request, RequestProject project, SandboxState state)
    {
        var issues = new List<ValidationIssue>();
        var page = Paging.Read(request, issues);
        var status = Query.Literal(request, "status", ListStatuses, issues);
        Query.TryTimestamp(request, "created_at_on_or_after", issues, out var after);
        Query.TryTimestamp(request, "created_at_on_or_before", issues, out var before);
        if (issues.Count > 0 || page is null)
        {
            return ApiErrors.Validation(issues);
        }

        // "document_input_type?: string | null", "(file_id or parse_job_id)": any string is taken, as FastAPI takes it for a
        // str parameter, and another one matches no job.
        var inputType = Query.Single(request, "document_input_type");
        var configurationId = Query.Single(request, "configuration_id");
        var fileInput = Query.Single(request, "file_input") ?? Query.Single(request, "document_input_value");
        var ids = Query.List(request, "job_ids");
        // The list's expand names fewer fields than the get's ("configuration, extract_metadata" against "…, usage" in
        // ExtractListParams and ExtractGetParams): a list asked for usage answers without it, as the service is typed to.
        var expand = Query.List(request, "expand").Where(ListExpands.Contains).ToList();
        lock (state.Gate)
        {
            var matches = state.ExtractJobs.In(project.Id).Where(j =>
                (status is null || j.Status == status)
                && (configurationId is null || j.ConfigurationId == configurationId)
                && (fileInput is null || j.FileInput == fileInput)
                && (inputType is null || inputType == (j.FileInput.StartsWith("pjb-", StringComparison.Ordinal) ? "parse_job_id" : "file_id"))
                && (ids.Count == 0 || ids.Contains(j.Id, StringComparer.Ordinal))
                && (after is null || j.CreatedAt >= after)
                && (before is null || j.CreatedAt <= before));
            var result = Paging.BySequence(matches, newestFirst: true, page, j => j.ToDto(expand));
            return TypedResults.Json(result, SandboxJsonContext.Default.CursorPageExtractJobDto);
        }
    }

    private static IResult Cancel(
        [FromRoute(Name = "job_id")] string jobId, RequestProject project, SandboxState state, SandboxOptions options, JobProcessor processor, SandboxCounters counters)
    {
        lock (state.Gate)
        {
            if (!state.ExtractJobs.TryGet(project.Id, jobId, out var job))
            {
                return ApiErrors.NotFound("Extract job", jobId);
            }

            if (JobStatus.IsTerminal(job.Status))
            {
                // The SDK says only that it "cannot be cancelled": the status code is a guess (§11.2), as for a batch.
                return ApiErrors.Detail(options.Guesses.CancelTerminalStatus, $"Extract job {jobId} is {job.Status} and cannot be cancelled");
            }

            processor.Move(job, JobStatus.Cancelled, state.Step);
            counters.Add(Counter.ExtractJobCancels);
            return TypedResults.Json(job.ToDto([]), SandboxJsonContext.Default.ExtractJobDto);
        }
    }

    /// <summary>
    /// The SDK types the answer as an arbitrary object; an empty one it is. Like a parse job, a job still
    /// running must be cancelled first (the Sandbox's reading: the extract docs say nothing, §11.2).
    /// </summary>
    private static IResult Delete([FromRoute(Name = "job_id")] string jobId, RequestProject project, SandboxState state, SandboxCounters counters)
    {
        lock (state.Gate)
        {
            if (!state.ExtractJobs.TryGet(project.Id, jobId, out var job))
            {
                return ApiErrors.NotFound("Extract job", jobId);
            }

            if (!JobStatus.IsTerminal(job.Status))
            {
                return ApiErrors.Conflict($"Extract job {jobId} is {job.Status}; cancel it before deleting it");
            }

            state.ExtractJobs.Remove(project.Id, jobId);
            counters.Add(Counter.ExtractJobDeletes);
            return TypedResults.Json(EmptyJson.Object, SandboxJsonContext.Default.JsonElement);
        }
    }
}

using BatchOrchestrator.Sandbox.Directories;
using Microsoft.AspNetCore.Mvc;

namespace BatchOrchestrator.Sandbox.Files;

/// <summary>The Files API: upload, list, get, content (a presigned URL), delete (docs/llamacloud-api.md §4.3).</summary>
internal static class FileEndpoints
{
    private const string Route = "/api/v1/beta/files";
    private static readonly IReadOnlyList<string> Purposes = ["user_data", "parse", "extract", "classify", "split", "sheet", "agent_app"];
    private static readonly IReadOnlyList<string> Orders = ["name", "id", "created_at"];

    /// <summary>Ten years: a longer link is still a valid one, and this keeps the expiry a representable date.</summary>
    private const double MaxLinkSeconds = 315_360_000;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost(Route, CreateAsync);
        app.MapGet(Route, List);
        app.MapGet(Route + "/{file_id}", Get);
        app.MapGet(Route + "/{file_id}/content", Content);
        app.MapDelete(Route + "/{file_id}", Delete);
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, RequestProject project, SandboxState state, SandboxOptions options, DirectoryFiles files, SandboxCounters counters)
    {
        var (form, error) = await MultipartForm.ReadAsync(request, options.MaxUploadBytes);
        if (error is not null)
        {
            return error;
        }

        var v = new BodyValidator();
        var upload = form!.File("file", v);
        var externalFileId = form.Text("external_file_id", v);
        var purpose = form.Text("purpose", v);
        if (purpose is null)
        {
            if (!form.Files.ContainsKey("purpose"))
            {
                v.Add("missing", "Field required", "purpose"); // one sent as a file is Text's string_type already
            }
        }
        else if (!Purposes.Contains(purpose, StringComparer.Ordinal))
        {
            v.Add("value_error", $"Invalid purpose '{purpose}'; valid values: {string.Join(", ", Purposes)}", "purpose");
        }

        if (!v.IsValid)
        {
            return v.ToResult();
        }

        lock (state.Gate)
        {
            var stored = files.Store(project.Id, new StoredContent(upload!.FileName, upload.ContentType, upload.Content), purpose!, externalFileId);
            counters.Add(Counter.FileUploads);
            return TypedResults.Json(stored.ToDto(null), SandboxJsonContext.Default.FileDto);
        }
    }

    private static IResult List(HttpRequest request, RequestProject project, SandboxState state, DownloadLinks links)
    {
        var issues = new List<ValidationIssue>();
        var page = Paging.Read(request, issues);
        var order = Query.Literal(request, "order_by", Orders, issues);
        if (issues.Count > 0 || page is null)
        {
            return ApiErrors.Validation(issues);
        }

        var name = Query.Single(request, "file_name");
        var external = Query.Single(request, "external_file_id");
        var ids = Query.List(request, "file_ids");
        var withUrl = Query.List(request, "expand").Contains("download_url");
        lock (state.Gate)
        {
            var matches = state.Files.In(project.Id).Where(f =>
                (name is null || f.Name == name)
                && (external is null || f.ExternalFileId == external)
                && (ids.Count == 0 || ids.Contains(f.Id, StringComparer.Ordinal)));

            // "One of 'name' (ascending), 'id' (ascending) or 'created_at' (descending)" (SDK files.ts FileListParams).
            var ordered = order switch
            {
                "name" => matches.OrderBy(f => f.Name, StringComparer.Ordinal).ThenBy(f => f.Sequence).ToList(),
                "id" => matches.OrderBy(f => f.Id, StringComparer.Ordinal).ToList(),
                _ => matches.OrderByDescending(f => f.Sequence).ToList(),
            };
            var result = Paging.ByOffset(ordered, page, f => f.ToDto(withUrl ? links.Create(request, f.Id) : null));
            return TypedResults.Json(result, SandboxJsonContext.Default.CursorPageFileDto);
        }
    }

    private static IResult Get([FromRoute(Name = "file_id")] string fileId, HttpRequest request, RequestProject project, SandboxState state, DownloadLinks links)
    {
        var withUrl = Query.List(request, "expand").Contains("download_url");
        lock (state.Gate)
        {
            return state.Files.TryGet(project.Id, fileId, out var file)
                ? TypedResults.Json(file.ToDto(withUrl ? links.Create(request, fileId) : null), SandboxJsonContext.Default.FileDto)
                : ApiErrors.NotFound("File", fileId);
        }
    }

    private static IResult Content([FromRoute(Name = "file_id")] string fileId, HttpRequest request, RequestProject project, SandboxState state, DownloadLinks links)
    {
        // "expires_at_seconds?: number | null" (TS SDK 2.16.0 resources/files.d.ts, FileContentParams): text that is no
        // number is refused, as FastAPI refuses it. No bound is stated; one that is not positive keeps the default lifetime.
        var issues = new List<ValidationIssue>();
        var seconds = Query.Number(request, "expires_at_seconds", issues);
        if (issues.Count > 0)
        {
            return ApiErrors.Validation(issues);
        }

        var lifetime = seconds is > 0 ? TimeSpan.FromSeconds(Math.Min(seconds.Value, MaxLinkSeconds)) : (TimeSpan?)null;
        lock (state.Gate)
        {
            return state.Files.Contains(project.Id, fileId)
                ? TypedResults.Json(links.Create(request, fileId, lifetime), SandboxJsonContext.Default.PresignedUrlDto)
                : ApiErrors.NotFound("File", fileId);
        }
    }

    private static IResult Delete([FromRoute(Name = "file_id")] string fileId, RequestProject project, SandboxState state, SandboxCounters counters)
    {
        lock (state.Gate)
        {
            if (!state.Files.Remove(project.Id, fileId))
            {
                return ApiErrors.NotFound("File", fileId);
            }

            counters.Add(Counter.FileDeletes);
            return TypedResults.NoContent();
        }
    }
}

using Microsoft.AspNetCore.Mvc;

namespace BatchOrchestrator.Sandbox.Directories;

/// <summary>Directory files: list with filters, get, patch (rename, re-key, move), delete (docs/llamacloud-api.md §4.2).</summary>
internal static class DirectoryFileEndpoints
{
    private const string Route = "/api/v1/beta/directories/{directory_id}/files";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(Route, List);
        app.MapGet(Route + "/{directory_file_id}", Get);
        app.MapPatch(Route + "/{directory_file_id}", UpdateAsync);
        app.MapDelete(Route + "/{directory_file_id}", Delete);
    }

    private static IResult List([FromRoute(Name = "directory_id")] string directoryId, HttpRequest request, RequestProject project, SandboxState state, DirectoryFiles files)
    {
        var issues = new List<ValidationIssue>();
        var page = Paging.Read(request, issues);
        Query.TryTimestamp(request, "updated_at_on_or_after", issues, out var after);
        Query.TryTimestamp(request, "updated_at_on_or_before", issues, out var before);
        var includeDeleted = Query.Bool(request, "include_deleted", issues) ?? false;
        if (issues.Count > 0 || page is null)
        {
            return ApiErrors.Validation(issues);
        }

        var uniqueId = Query.Single(request, "unique_id");
        var fileId = Query.Single(request, "file_id");
        var displayName = Query.Single(request, "display_name");
        var contains = Query.Single(request, "display_name_contains");
        var withUrl = Query.List(request, "expand").Contains("download_url");
        lock (state.Gate)
        {
            if (!state.Directories.Contains(project.Id, directoryId))
            {
                return ApiErrors.NotFound("Directory", directoryId);
            }

            var matches = state.DirectoryFiles.In(project.Id).Where(f =>
                f.DirectoryId == directoryId
                && (includeDeleted || f.DeletedAt is null)
                && (uniqueId is null || f.UniqueId == uniqueId)
                && (fileId is null || f.FileId == fileId)
                && (displayName is null || f.DisplayName == displayName)
                && (contains is null || f.DisplayName.Contains(contains, StringComparison.OrdinalIgnoreCase))
                && (after is null || f.UpdatedAt >= after)
                && (before is null || f.UpdatedAt <= before));
            var result = Paging.BySequence(matches, newestFirst: false, page, f => files.ToDto(f, request, withUrl));
            return TypedResults.Json(result, SandboxJsonContext.Default.CursorPageDirectoryFileDto);
        }
    }

    private static IResult Get([FromRoute(Name = "directory_id")] string directoryId, [FromRoute(Name = "directory_file_id")] string fileId, HttpRequest request, RequestProject project, SandboxState state, DirectoryFiles files)
    {
        var withUrl = Query.List(request, "expand").Contains("download_url");
        lock (state.Gate)
        {
            var file = files.Find(project.Id, directoryId, fileId);
            return file is null
                ? ApiErrors.NotFound("Directory file", fileId)
                : TypedResults.Json(files.ToDto(file, request, withUrl), SandboxJsonContext.Default.DirectoryFileDto);
        }
    }

    private static async Task<IResult> UpdateAsync([FromRoute(Name = "directory_id")] string directoryId, [FromRoute(Name = "directory_file_id")] string fileId, HttpRequest request, RequestProject project, SandboxState state, SandboxOptions options, DirectoryFiles files)
    {
        var (body, error) = await JsonBody.ReadAsync(request);
        if (error is not null)
        {
            return error;
        }

        var v = new BodyValidator();
        v.RequireObject(body);
        BodyFields.Check(v, body, options.Guesses, BodyFields.DirectoryFileUpdate);
        var displayName = v.NonEmptyString(body, "display_name", required: false);
        var uniqueId = v.NonEmptyString(body, "unique_id", required: false);
        var target = v.String(body, "target_directory_id", required: false);
        var metadata = FileMetadata.Read(BodyValidator.Get(body, "metadata"), v, "metadata");
        if (!v.IsValid)
        {
            return v.ToResult();
        }

        lock (state.Gate)
        {
            var file = files.Find(project.Id, directoryId, fileId);
            if (file is null)
            {
                return ApiErrors.NotFound("Directory file", fileId);
            }

            var destination = target ?? directoryId;
            if (!state.Directories.Contains(project.Id, destination))
            {
                return ApiErrors.NotFound("Directory", destination);
            }

            var key = uniqueId ?? file.UniqueId;
            if (files.FindByUniqueId(project.Id, destination, key) is { } clash && clash.Id != file.Id)
            {
                return ApiErrors.Conflict($"A file with unique_id '{key}' already exists in directory {destination}");
            }

            files.Rekey(file, destination, key);
            file.DisplayName = displayName ?? file.DisplayName;
            file.Metadata = metadata ?? file.Metadata;
            file.UpdatedAt = state.Now;
            return TypedResults.Json(files.ToDto(file, request, withDownloadUrl: false), SandboxJsonContext.Default.DirectoryFileDto);
        }
    }

    private static IResult Delete([FromRoute(Name = "directory_id")] string directoryId, [FromRoute(Name = "directory_file_id")] string fileId, RequestProject project, SandboxState state, DirectoryFiles files, SandboxCounters counters)
    {
        lock (state.Gate)
        {
            var file = files.Find(project.Id, directoryId, fileId);
            if (file is null)
            {
                return ApiErrors.NotFound("Directory file", fileId);
            }

            // A soft delete: deleted_at is set and include_deleted=true still lists it (SDK FileListParams).
            file.DeletedAt = state.Now;
            file.UpdatedAt = file.DeletedAt.Value;
            counters.Add(Counter.DirectoryFileDeletes);
            return TypedResults.NoContent();
        }
    }
}

using Microsoft.AspNetCore.Mvc;

namespace BatchOrchestrator.Sandbox.Directories;

/// <summary>
/// Putting files into a directory: multipart upload, and add by an existing file_id
/// (docs/llamacloud-api.md §4.2). Both upsert on unique_id within the directory, or add or refuse (Guesses:SameUniqueIdUpload).
/// </summary>
internal static class DirectoryUploadEndpoints
{
    private const string Route = "/api/v1/beta/directories/{directory_id}/files";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost(Route + "/upload", UploadAsync);
        app.MapPost(Route, AddAsync);
    }

    private static async Task<IResult> UploadAsync(
        [FromRoute(Name = "directory_id")] string directoryId, HttpRequest request, RequestProject project, SandboxState state, SandboxOptions options, DirectoryFiles files, SandboxCounters counters)
    {
        lock (state.Gate)
        {
            // Fail fast, before reading a large body, when the directory does not exist.
            if (!state.Directories.Contains(project.Id, directoryId))
            {
                return ApiErrors.NotFound("Directory", directoryId);
            }
        }

        var (form, error) = await MultipartForm.ReadAsync(request, options.MaxUploadBytes);
        if (error is not null)
        {
            return error;
        }

        var v = new BodyValidator();
        var upload = form!.File("upload_file", v);
        var metadata = FileMetadata.ReadString(form.Text("metadata", v), v);
        var externalFileId = form.Text("external_file_id", v);
        var displayName = form.Text("display_name", v);
        var uniqueId = form.Text("unique_id", v);
        if (!v.IsValid)
        {
            return v.ToResult();
        }

        displayName ??= upload!.FileName;
        uniqueId ??= externalFileId ?? upload!.FileName;
        lock (state.Gate)
        {
            if (!state.Directories.Contains(project.Id, directoryId))
            {
                return ApiErrors.NotFound("Directory", directoryId);
            }

            var stored = files.Store(project.Id, new StoredContent(upload!.FileName, upload.ContentType, upload.Content), "user_data", externalFileId);
            if (files.Upsert(directoryId, stored, displayName, uniqueId, metadata, options.Guesses.SameUniqueIdUpload) is not { } file)
            {
                return SameUniqueIdRefused(options, directoryId, uniqueId);
            }

            counters.Add(Counter.Uploads, Counter.UploadsByUniqueId, uniqueId);
            counters.AddTo(Counter.UploadsByProject, project.Id);
            return TypedResults.Json(files.ToDto(file, request, withDownloadUrl: false), SandboxJsonContext.Default.DirectoryFileDto);
        }
    }

    private static async Task<IResult> AddAsync(
        [FromRoute(Name = "directory_id")] string directoryId, HttpRequest request, RequestProject project, SandboxState state, SandboxOptions options, DirectoryFiles files, SandboxCounters counters)
    {
        var (body, error) = await JsonBody.ReadAsync(request);
        if (error is not null)
        {
            return error;
        }

        var v = new BodyValidator();
        v.RequireObject(body);
        BodyFields.Check(v, body, options.Guesses, BodyFields.DirectoryFileAdd);
        var fileId = v.NonEmptyString(body, "file_id", required: true);
        var displayName = v.String(body, "display_name", required: false);
        var uniqueId = v.String(body, "unique_id", required: false);
        var metadata = FileMetadata.Read(BodyValidator.Get(body, "metadata"), v, "metadata");
        if (!v.IsValid)
        {
            return v.ToResult();
        }

        lock (state.Gate)
        {
            if (!state.Directories.Contains(project.Id, directoryId))
            {
                return ApiErrors.NotFound("Directory", directoryId);
            }

            if (!state.Files.TryGet(project.Id, fileId!, out var stored))
            {
                return ApiErrors.NotFound("File", fileId!);
            }

            // Defaults per the SDK: display_name = the file's name; unique_id = its external_file_id, else its name.
            var key = uniqueId ?? stored.ExternalFileId ?? stored.Name;
            if (files.Upsert(directoryId, stored, displayName ?? stored.Name, key, metadata, options.Guesses.SameUniqueIdUpload) is not { } file)
            {
                return SameUniqueIdRefused(options, directoryId, key);
            }

            counters.Add(Counter.DirectoryFileAdds);
            return TypedResults.Json(files.ToDto(file, request, withDownloadUrl: false), SandboxJsonContext.Default.DirectoryFileDto);
        }
    }

    private static IResult SameUniqueIdRefused(SandboxOptions options, string directoryId, string uniqueId) =>
        ApiErrors.Detail(options.Guesses.SameUniqueIdStatus, $"A file with unique_id '{uniqueId}' already exists in directory {directoryId}");
}

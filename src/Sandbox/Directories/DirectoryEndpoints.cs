using Microsoft.AspNetCore.Mvc;

namespace BatchOrchestrator.Sandbox.Directories;

/// <summary>/api/v1/beta/directories: create, list, get, patch, delete (docs/llamacloud-api.md §4.1).</summary>
internal static class DirectoryEndpoints
{
    private const string Route = "/api/v1/beta/directories";
    private static readonly IReadOnlyList<string> CreatableTypes = ["user", "ephemeral"];
    private static readonly IReadOnlyList<string> AllTypes = ["ephemeral", "index", "user"];

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost(Route, CreateAsync);
        app.MapGet(Route, List);
        app.MapGet(Route + "/{directory_id}", Get);
        app.MapPatch(Route + "/{directory_id}", UpdateAsync);
        app.MapDelete(Route + "/{directory_id}", Delete);
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, RequestProject project, SandboxState state, SandboxOptions options, SandboxCounters counters)
    {
        var (body, error) = await JsonBody.ReadAsync(request);
        if (error is not null)
        {
            return error;
        }

        var v = new BodyValidator();
        v.RequireObject(body);
        BodyFields.Check(v, body, options.Guesses, BodyFields.DirectoryCreate);
        var name = v.NonEmptyString(body, "name", required: true);
        var type = v.NeverNullLiteral(body, "type", CreatableTypes) ?? "user"; // "type?: 'ephemeral' | 'user'"
        var description = v.String(body, "description", required: false);
        var connector = v.String(body, "connector_subscription_id", required: false);
        var systemMetadata = v.Object(body, "system_metadata", required: false);
        if (!v.IsValid)
        {
            return v.ToResult();
        }

        lock (state.Gate)
        {
            if (state.Directories.In(project.Id).Any(d => d.Name == name))
            {
                // Names are unique per project (official batch example); the code is a guess (§11.2).
                return ApiErrors.Detail(options.Guesses.DuplicateDirectoryStatus, $"A directory named '{name}' already exists in this project");
            }

            var now = state.Now;
            var directory = new DirectoryRecord
            {
                Sequence = state.NextSequence(),
                Id = Ids.Directory(),
                ProjectId = project.Id,
                Name = name!,
                Type = type,
                Description = description,
                ConnectorSubscriptionId = connector,
                SystemMetadata = systemMetadata,
                // DirectoryCreateParams names no expires_at: one sent is an unknown field (BodyFields), not a setting.
                ExpiresAt = type == "ephemeral" ? now + options.EphemeralDirectoryTtl : null,
                CreatedAt = now,
                UpdatedAt = now,
            };
            state.Directories.Add(directory);
            counters.Add(Counter.DirectoryCreates, Counter.DirectoryCreatesByName, directory.Name);
            return TypedResults.Json(directory.ToDto(), SandboxJsonContext.Default.DirectoryDto);
        }
    }

    private static IResult List(HttpRequest request, RequestProject project, SandboxState state)
    {
        var issues = new List<ValidationIssue>();
        var page = Paging.Read(request, issues);
        var name = Query.Single(request, "name");
        var type = Query.Literal(request, "type", AllTypes, issues);
        Query.Bool(request, "include_deleted", issues);
        var types = Query.Literals(request, "types", AllTypes, issues);

        if (issues.Count > 0 || page is null)
        {
            return ApiErrors.Validation(issues);
        }

        lock (state.Gate)
        {
            // Deletes are permanent (SDK: "Permanently delete a directory"), so include_deleted finds nothing more.
            var matches = state.Directories.In(project.Id).Where(d =>
                (name is null || d.Name == name)
                && (type is null || d.Type == type)
                && (types.Count == 0 || types.Contains(d.Type, StringComparer.Ordinal)));
            var result = Paging.BySequence(matches, newestFirst: false, page, d => d.ToDto());
            return TypedResults.Json(result, SandboxJsonContext.Default.CursorPageDirectoryDto);
        }
    }

    private static IResult Get([FromRoute(Name = "directory_id")] string directoryId, RequestProject project, SandboxState state)
    {
        lock (state.Gate)
        {
            return state.Directories.TryGet(project.Id, directoryId, out var directory)
                ? TypedResults.Json(directory.ToDto(), SandboxJsonContext.Default.DirectoryDto)
                : ApiErrors.NotFound("Directory", directoryId);
        }
    }

    private static async Task<IResult> UpdateAsync([FromRoute(Name = "directory_id")] string directoryId, HttpRequest request, RequestProject project, SandboxState state, SandboxOptions options)
    {
        var (body, error) = await JsonBody.ReadAsync(request);
        if (error is not null)
        {
            return error;
        }

        var v = new BodyValidator();
        v.RequireObject(body);
        BodyFields.Check(v, body, options.Guesses, BodyFields.DirectoryUpdate);
        var name = v.NonEmptyString(body, "name", required: false);
        var description = v.String(body, "description", required: false);
        if (!v.IsValid)
        {
            return v.ToResult();
        }

        lock (state.Gate)
        {
            if (!state.Directories.TryGet(project.Id, directoryId, out var directory))
            {
                return ApiErrors.NotFound("Directory", directoryId);
            }

            if (name is not null && name != directory.Name && state.Directories.In(project.Id).Any(d => d.Name == name))
            {
                return ApiErrors.Conflict($"A directory named '{name}' already exists in this project");
            }

            directory.Name = name ?? directory.Name;
            directory.Description = BodyValidator.Has(body, "description") ? description : directory.Description;
            directory.UpdatedAt = state.Now;
            return TypedResults.Json(directory.ToDto(), SandboxJsonContext.Default.DirectoryDto);
        }
    }

    private static IResult Delete([FromRoute(Name = "directory_id")] string directoryId, RequestProject project, SandboxState state, SandboxCounters counters)
    {
        lock (state.Gate)
        {
            if (!state.Directories.Remove(project.Id, directoryId))
            {
                return ApiErrors.NotFound("Directory", directoryId);
            }

            foreach (var file in state.DirectoryFiles.In(project.Id).Where(f => f.DirectoryId == directoryId).ToList())
            {
                state.DirectoryFiles.Remove(project.Id, file.Id);
            }

            counters.Add(Counter.DirectoryDeletes);
            return TypedResults.NoContent();
        }
    }
}

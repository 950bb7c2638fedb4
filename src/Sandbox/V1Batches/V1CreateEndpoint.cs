using System.Security.Cryptography;
using System.Text;
using BatchOrchestrator.Sandbox.Files;

namespace BatchOrchestrator.Sandbox.V1Batches;

/// <summary>
/// POST /api/v1/beta/batch-processing (docs/llamacloud-api.md §3.2): a parse or classify <c>job_config</c>,
/// checked by <see cref="V1JobConfigValidator"/>, over either a <c>directory_id</c> or explicit
/// <c>item_ids</c> (directory-file or file ids).
/// </summary>
internal static class V1CreateEndpoint
{
    public static void Map(IEndpointRouteBuilder app) => app.MapPost("/api/v1/beta/batch-processing", CreateAsync);

    private static async Task<IResult> CreateAsync(HttpRequest request, RequestProject project, SandboxState state, SandboxOptions options, SandboxCounters counters)
    {
        var (body, error) = await JsonBody.ReadAsync(request);
        if (error is not null)
        {
            return error;
        }

        var v = new BodyValidator();
        v.RequireObject(body);
        BodyFields.Check(v, body, options.Guesses, BodyFields.V1BatchCreate);
        var config = v.Object(body, "job_config", required: true);
        var directoryId = v.String(body, "directory_id", required: false);
        var itemIds = v.StringArray(body, "item_ids");
        if (BodyValidator.Has(body, "page_size") && body.GetProperty("page_size").ValueKind == JsonValueKind.Null)
        {
            v.Add("int_type", "Input should be a valid integer", "page_size"); // "page_size?: number": absent, never null
        }

        v.Int(body, "page_size");
        v.Int(body, "continue_as_new_threshold");
        if ((directoryId is null) == (itemIds is null))
        {
            v.Add("value_error", "Provide either directory_id or item_ids", "directory_id");
        }

        var jobType = config is null ? null : V1JobConfigValidator.Validate(config.Value, v, options.Guesses, project.Id);
        lock (state.Gate)
        {
            var items = new List<V1ItemRecord>();
            for (var i = 0; i < (itemIds?.Count ?? 0); i++)
            {
                var content = DocumentSources.Resolve(state, project.Id, itemIds![i], allowParseJob: false);
                if (content is null)
                {
                    v.Add("value_error", $"Item '{itemIds[i]}' not found", "item_ids", i);
                    continue;
                }

                var fileId = state.DirectoryFiles.TryGet(project.Id, itemIds[i], out var entry) ? entry.FileId : itemIds[i];
                items.Add(Item(itemIds[i], fileId, content));
            }

            if (!v.IsValid)
            {
                return v.ToResult();
            }

            if (directoryId is not null)
            {
                if (!state.Directories.Contains(project.Id, directoryId))
                {
                    return ApiErrors.NotFound("Directory", directoryId);
                }

                items.AddRange(state.DirectoryFiles.In(project.Id)
                    .Where(f => f.DirectoryId == directoryId && f.DeletedAt is null)
                    .OrderBy(f => f.Sequence)
                    .Select(f => Item(f.Id, f.FileId, f.Content with { FileName = f.DisplayName })));
            }

            var now = state.Now;
            var job = new V1JobRecord
            {
                Sequence = state.NextSequence(),
                Id = Ids.Plain(),
                ProjectId = project.Id,
                JobType = jobType!,
                DirectoryId = directoryId,
                JobConfig = config!.Value,
                ParametersHash = ParametersHash(config.Value, jobType!),
                Items = items,
                WorkflowId = $"batch-{Guid.NewGuid():N}",
                LastStep = state.Step,
                CreatedAt = now,
                UpdatedAt = now,
            };
            state.V1Jobs.Add(job);
            counters.Add(Counter.V1BatchCreates);
            return TypedResults.Json(job.ToDto(), SandboxJsonContext.Default.V1JobDto);
        }
    }

    private static V1ItemRecord Item(string id, string fileId, StoredContent content) => new()
    {
        ItemId = id,
        FileId = fileId,
        ItemName = content.FileName,
        Content = content,
        ContentHash = Convert.ToHexStringLower(SHA256.HashData(content.Bytes)),
    };

    /// <summary>"Content hash of the job configuration for dedup": what the job does, not who asked.</summary>
    private static string ParametersHash(JsonElement config, string jobType)
    {
        var relevant = jobType == "classify"
            ? $"{Raw(config, "rules")}|{Raw(config, "mode")}|{Raw(config, "parsing_configuration")}"
            : Raw(config, "parameters");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{jobType}|{relevant}")));
    }

    private static string Raw(JsonElement config, string name) => config.TryGetProperty(name, out var value) ? value.GetRawText() : "null";
}

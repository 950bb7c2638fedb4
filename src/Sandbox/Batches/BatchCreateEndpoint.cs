using System.Globalization;
using BatchOrchestrator.Sandbox.Configurations;
using BatchOrchestrator.Sandbox.Faults;
using BatchOrchestrator.Sandbox.Processing;
using BatchOrchestrator.Sandbox.Webhooks;

namespace BatchOrchestrator.Sandbox.Batches;

/// <summary>POST /api/v2/batches (docs/llamacloud-api.md §2.2): validate, snapshot the directory, start PENDING.</summary>
internal static class BatchCreateEndpoint
{
    public static void Map(IEndpointRouteBuilder app) => app.MapPost("/api/v2/batches", CreateAsync);

    private static async Task<IResult> CreateAsync(
        HttpRequest request, RequestProject project, SandboxState state, SandboxOptions options, ConfigurationCatalog catalog, FaultState faults, BatchProcessor processor, SandboxCounters counters)
    {
        var (body, error) = await JsonBody.ReadAsync(request);
        if (error is not null)
        {
            return error;
        }

        var v = new BodyValidator();
        v.RequireObject(body);
        BodyFields.Check(v, body, options.Guesses, BodyFields.BatchCreate);
        var directoryId = v.NonEmptyString(body, "source_directory_id", required: true);
        var config = v.Object(body, "config", required: true);
        var job = config is null ? null : v.Object(config.Value, "job", required: true, "config");
        var type = job is null ? null : v.Literal(job.Value, "type", BatchStatus.JobTypes, required: true, "config", "job");
        var configurationId = job is null ? null : v.NonEmptyString(job.Value, "configuration_id", required: true, "config", "job");
        lock (state.Gate)
        {
            var webhooks = WebhookConfigurations.Read(body, v, state, project.Id, WebhookFieldTypes.BatchOrExtract.Inline(options.Guesses));
            string? tier = null;
            System.Text.Json.JsonElement? extract = null;
            if (type is not null && configurationId is not null)
            {
                tier = type == "parse_v2" ? catalog.ParseTier(project.Id, configurationId) : null;
                extract = type == "extract_v2" ? catalog.ExtractParameters(project.Id, configurationId) : null;
                if (tier is null && extract is null)
                {
                    v.Add("value_error", $"Configuration '{configurationId}' is not a built-in preset or saved configuration for {type}", "config", "job", "configuration_id");
                }
            }

            if (!v.IsValid)
            {
                return v.ToResult();
            }

            if (!state.Directories.TryGet(project.Id, directoryId!, out var directory))
            {
                return ApiErrors.NotFound("Directory", directoryId!);
            }

            var files = state.DirectoryFiles.In(project.Id)
                .Where(f => f.DirectoryId == directory.Id && f.DeletedAt is null)
                .OrderBy(f => f.Sequence)
                .Select(f => new BatchFile(f.Id, f.DisplayName, f.Content))
                .ToList();
            if (files.Count > options.MaxBatchFiles)
            {
                // "Batch creation is limited to 1,000 source files" (§1.4); the status code is a guess (§11.2).
                return ApiErrors.Detail(
                    options.Guesses.TooManyBatchFilesStatus,
                    string.Create(CultureInfo.InvariantCulture, $"Batch creation is limited to {options.MaxBatchFiles} source files; directory {directory.Id} has {files.Count}"));
            }

            var now = state.Now;
            var batch = new BatchRecord
            {
                Sequence = state.NextSequence(),
                Id = Ids.Batch(),
                ProjectId = project.Id,
                SourceDirectoryId = directory.Id,
                JobType = type!,
                ConfigurationId = configurationId!,
                ParseTier = tier,
                ExtractConfiguration = extract,
                Files = files,
                Webhooks = webhooks,
                FailAfterMapped = faults.TakeBatchFailure(directory.Name) ? files.Count / 2 : null,
                LastStep = state.Step,
                CreatedAt = now,
                UpdatedAt = now,
            };
            state.Batches.Add(batch);
            counters.Add(Counter.BatchCreates, Counter.BatchCreatesByDirectory, directory.Id);
            processor.Announce(batch);
            return TypedResults.Json(batch.ToDto(expandResults: false), SandboxJsonContext.Default.BatchDto);
        }
    }
}

using Microsoft.AspNetCore.Mvc;

namespace BatchOrchestrator.Sandbox.V1Batches;

/// <summary>
/// <c>GET /api/v1/classifier/jobs/{classify_job_id}/results</c>: the classification of a v1 classify
/// item, whose <c>job_id</c> names its classifier job. The SDK types no other place for the label
/// (processing results' <c>output_metadata</c> is "currently empty"); one classifier job per item is
/// the Sandbox's choice (docs/llamacloud-api.md §3.2, §11.12). Empty until the item completed.
/// </summary>
internal static class ClassifierEndpoints
{
    public static void Map(IEndpointRouteBuilder app) => app.MapGet("/api/v1/classifier/jobs/{classify_job_id}/results", Results);

    private static IResult Results([FromRoute(Name = "classify_job_id")] string jobId, RequestProject project, SandboxState state, SandboxCounters counters)
    {
        lock (state.Gate)
        {
            var item = state.V1Jobs.In(project.Id)
                .Where(j => j.JobType == "classify")
                .SelectMany(j => j.Items)
                .FirstOrDefault(i => i.JobId == jobId);
            if (item is null)
            {
                return ApiErrors.NotFound("Classify job", jobId);
            }

            counters.Add(Counter.ClassifierResultGets);
            IReadOnlyList<ClassifierResultItemDto> items = item is { Status: V1Status.Completed, Classification: { } classification }
                ? [new ClassifierResultItemDto($"{jobId}:{item.ItemId}", jobId, item.FileId, classification.DeepClone().AsObject(), item.CompletedAt, item.CompletedAt)]
                : [];
            return TypedResults.Json(new ClassifierResultsDto(items, null), SandboxJsonContext.Default.ClassifierResultsDto);
        }
    }
}

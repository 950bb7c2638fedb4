using System.Globalization;
using System.Net.Http.Json;

namespace BatchOrchestrator.Core.LlamaCloud;

// The legacy v1 batch-processing group (docs/llamacloud-api.md §3), as TS SDK 2.13.0 types it, and the
// classifier results where a v1 classification's label is.
internal sealed partial class LlamaCloudClient
{
    private const string V1Route = "api/v1/beta/batch-processing";

    public async Task<V1BatchJob> CreateV1BatchAsync(V1CreateRequest request, CancellationToken cancellationToken) =>
        (await SendAsync(Post(V1Route, JsonContent.Create(request, Json.V1CreateRequest), createsResource: true), Json.V1BatchJob, cancellationToken)).Redacted(secrets);

    public async Task<V1Page<V1BatchJob>> ListV1BatchesAsync(string? directoryId, string jobType, int limit, int offset, CancellationToken cancellationToken)
    {
        var uri = string.Create(CultureInfo.InvariantCulture, $"{V1Route}?job_type={Uri.EscapeDataString(jobType)}&limit={limit}&offset={offset}")
            + (directoryId is null ? "" : "&directory_id=" + Uri.EscapeDataString(directoryId));
        return (await SendAsync(Get(uri), Json.V1PageV1BatchJob, cancellationToken)).Redacted(j => j.Redacted(secrets));
    }

    public async Task<V1BatchJobStatus> GetV1BatchAsync(string jobId, CancellationToken cancellationToken) =>
        (await SendAsync(Get($"{V1Route}/{Escape(jobId)}"), Json.V1BatchJobStatus, cancellationToken)).Redacted(secrets);

    public async Task<V1Page<V1Item>> ListV1ItemsAsync(string jobId, int limit, int offset, CancellationToken cancellationToken) =>
        (await SendAsync(
            Get(string.Create(CultureInfo.InvariantCulture, $"{V1Route}/{Escape(jobId)}/items?limit={limit}&offset={offset}")),
            Json.V1PageV1Item,
            cancellationToken)).Redacted(i => i.Redacted(secrets));

    public async Task<V1CancelResponse> CancelV1BatchAsync(string jobId, CancellationToken cancellationToken) =>
        (await SendAsync(
            Post($"{V1Route}/{Escape(jobId)}/cancel", JsonContent.Create(new V1CancelRequest("cancelled by an operator"), Json.V1CancelRequest), createsResource: false),
            Json.V1CancelResponse,
            cancellationToken)).Redacted(secrets);

    public Task<ClassifierResults> GetClassifierResultsAsync(string classifyJobId, CancellationToken cancellationToken) =>
        SendAsync(Get($"api/v1/classifier/jobs/{Escape(classifyJobId)}/results"), Json.ClassifierResults, cancellationToken);
}

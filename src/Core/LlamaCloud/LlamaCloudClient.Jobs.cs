using System.Globalization;
using System.Net;
using System.Text;

namespace BatchOrchestrator.Core.LlamaCloud;

// Parse and extract jobs (docs/llamacloud-api.md §6, §7): one job with its result, many jobs' statuses in
// one list call, an operator's cancel of a job that never ends, and the deletes of remote hygiene (§4, §6.1, §7).
internal sealed partial class LlamaCloudClient
{
    private static readonly string[] ExtractExpand = ["usage", "configuration"];

    public async Task<ParseJobResult> GetParseJobAsync(string jobId, IReadOnlyList<string> expand, CancellationToken cancellationToken) =>
        (await SendAsync(Get($"api/v2/parse/{Escape(jobId)}" + Query("expand", expand)), Json.ParseJobResult, cancellationToken)).Redacted(secrets);

    /// <summary>
    /// What was billed, and at which tier (docs/costs.md): <c>usage</c> and <c>configuration</c>, as repeated
    /// <c>expand</c> keys like every array parameter (docs/llamacloud-api.md §1.2). A comma list would reach a
    /// FastAPI list parameter as one unknown value, and neither would be expanded.
    /// </summary>
    public async Task<ExtractJob> GetExtractJobAsync(string jobId, CancellationToken cancellationToken) =>
        (await SendAsync(Get($"api/v2/extract/{Escape(jobId)}" + Query("expand", ExtractExpand)), Json.ExtractJob, cancellationToken)).Redacted(secrets);

    /// <summary>SDK 2.16.0 <c>parsing.cancel</c> (answers the job, <c>ParsingCancelResponse</c>) and <c>extract.cancel</c> (<c>ExtractV2Job</c>), no body.</summary>
    public async Task<ProductJob> CancelParseJobAsync(string jobId, CancellationToken cancellationToken) =>
        (await SendAsync(Post($"api/v2/parse/{Escape(jobId)}/cancel", content: null, createsResource: false), Json.ProductJob, cancellationToken)).Redacted(secrets);

    public async Task<ExtractJob> CancelExtractJobAsync(string jobId, CancellationToken cancellationToken) =>
        (await SendAsync(Post($"api/v2/extract/{Escape(jobId)}/cancel", content: null, createsResource: false), Json.ExtractJob, cancellationToken)).Redacted(secrets);

    public Task<RemoteConfiguration> GetConfigurationAsync(string configurationId, CancellationToken cancellationToken) =>
        SendAsync(Get($"api/v1/beta/configurations/{Escape(configurationId)}"), Json.RemoteConfiguration, cancellationToken);

    public async Task<CursorPage<ProductJob>> ListParseJobsAsync(IReadOnlyList<string> jobIds, string? pageToken, CancellationToken cancellationToken) =>
        (await SendAsync(Get("api/v2/parse" + ListQuery(jobIds, pageToken)), Json.CursorPageProductJob, cancellationToken)).Redacted(j => j.Redacted(secrets));

    public async Task<CursorPage<ExtractJob>> ListExtractJobsAsync(IReadOnlyList<string> jobIds, string? pageToken, CancellationToken cancellationToken) =>
        (await SendAsync(Get("api/v2/extract" + ListQuery(jobIds, pageToken)), Json.CursorPageExtractJob, cancellationToken)).Redacted(j => j.Redacted(secrets));

    public Task<RemoteDirectory> GetDirectoryAsync(string directoryId, CancellationToken cancellationToken) =>
        SendAsync(Get($"api/v1/beta/directories/{Escape(directoryId)}"), Json.RemoteDirectory, cancellationToken);

    public Task<RemoteDirectoryFile> GetDirectoryFileAsync(string directoryId, string directoryFileId, CancellationToken cancellationToken) =>
        SendAsync(Get($"api/v1/beta/directories/{Escape(directoryId)}/files/{Escape(directoryFileId)}"), Json.RemoteDirectoryFile, cancellationToken);

    public Task<bool> DeleteDirectoryFileAsync(string directoryId, string directoryFileId, CancellationToken cancellationToken) =>
        DeleteAsync($"api/v1/beta/directories/{Escape(directoryId)}/files/{Escape(directoryFileId)}", cancellationToken);

    public Task<bool> DeleteStoredFileAsync(string fileId, CancellationToken cancellationToken) =>
        DeleteAsync($"api/v1/beta/files/{Escape(fileId)}", cancellationToken);

    public Task<bool> DeleteDirectoryAsync(string directoryId, CancellationToken cancellationToken) =>
        DeleteAsync($"api/v1/beta/directories/{Escape(directoryId)}", cancellationToken);

    public Task<bool> DeleteParseJobAsync(string jobId, CancellationToken cancellationToken) => DeleteAsync($"api/v2/parse/{Escape(jobId)}", cancellationToken);

    public Task<bool> DeleteExtractJobAsync(string jobId, CancellationToken cancellationToken) => DeleteAsync($"api/v2/extract/{Escape(jobId)}", cancellationToken);

    /// <summary>
    /// The status filter by ids: <c>job_ids</c> as repeated keys, the way the SDK encodes arrays (§1.2),
    /// and a page as large as the ids, so one request answers for all of them.
    /// </summary>
    private static string ListQuery(IReadOnlyList<string> jobIds, string? pageToken)
    {
        var query = new StringBuilder(Query("job_ids", jobIds));
        query.Append(query.Length == 0 ? '?' : '&').Append(CultureInfo.InvariantCulture, $"page_size={Math.Max(1, jobIds.Count)}");
        if (pageToken is not null)
        {
            query.Append("&page_token=").Append(Uri.EscapeDataString(pageToken));
        }

        return query.ToString();
    }

    /// <summary>Array query parameters go as repeated keys, as every official SDK sends them (docs/llamacloud-api.md §1.2).</summary>
    private static string Query(string name, IReadOnlyList<string> values) =>
        values.Count == 0 ? "" : "?" + string.Join('&', values.Select(v => name + "=" + Uri.EscapeDataString(v)));

    /// <summary>A delete; true when it removed something, false when it was already gone (404 counts as done).</summary>
    private async Task<bool> DeleteAsync(string path, CancellationToken cancellationToken)
    {
        using var request = Scoped(HttpMethod.Delete, path);
        request.Headers.Accept.ParseAdd("*/*"); // deletes may answer 204 with no body (docs/llamacloud-api.md §4)
        using var response = await SendRawAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await ToExceptionAsync(request, response, cancellationToken);
        }

        return true;
    }
}

using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// The thin typed client over LlamaCloud's REST API, in one project: every request carries the
/// <see cref="ProjectScope"/>'s query parameters and names it for the handlers. Auth and base address
/// come from the <see cref="HttpClient"/> it is given; retries from <see cref="LlamaCloudPipeline"/>.
/// Every non-2xx, and every failure to get an answer, becomes a typed exception, never a null.
/// </summary>
internal sealed partial class LlamaCloudClient(HttpClient http, ProjectScope scope, RetryTiming timing, ProjectPauses pauses, SentSecrets secrets) : IBatchApi
{
    private static readonly LlamaCloudJsonContext Json = LlamaCloudJsonContext.Default;

    public Task<RemoteDirectory> CreateDirectoryAsync(string name, CancellationToken cancellationToken) =>
        CreateDirectoryAsync(name, ephemeral: true, cancellationToken);

    public Task<RemoteDirectory> CreateDirectoryAsync(string name, bool ephemeral, CancellationToken cancellationToken) =>
        SendAsync(
            Post("api/v1/beta/directories", JsonContent.Create(new CreateDirectoryRequest(name, ephemeral ? "ephemeral" : "user"), Json.CreateDirectoryRequest), createsResource: true),
            Json.RemoteDirectory,
            cancellationToken);

    public async Task<RemoteDirectory?> FindDirectoryByNameAsync(string name, CancellationToken cancellationToken)
    {
        var page = await SendAsync(
            Get($"api/v1/beta/directories?name={Uri.EscapeDataString(name)}"),
            Json.CursorPageRemoteDirectory,
            cancellationToken);
        return page.Items.FirstOrDefault(d => d.Name == name);
    }

    public Task<RemoteDirectoryFile> UploadFileAsync(string directoryId, FileUpload upload, CancellationToken cancellationToken)
    {
        var form = new MultipartFormDataContent();
        var file = new StreamContent(upload.Content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        file.Headers.ContentDisposition = UploadFileName.Disposition("upload_file", upload.FileName); // any name a file system holds
        form.Add(file);
        form.Add(new StringContent(upload.UniqueId, Encoding.UTF8), "unique_id");
        form.Add(new StringContent(upload.DisplayName, Encoding.UTF8), "display_name");
        if (upload.Metadata is { Count: > 0 } metadata)
        {
            // The API takes metadata as a JSON-object string (docs/llamacloud-api.md §4.2).
            form.Add(new StringContent(JsonSerializer.Serialize(metadata, MetadataJson.Default.IReadOnlyDictionaryStringString), Encoding.UTF8), "metadata");
        }

        var request = Post($"api/v1/beta/directories/{Escape(directoryId)}/files/upload", form, createsResource: true);
        request.MarkUpload(); // paced by UploadPacingHandler to the API's upload limit
        if (upload.Lane is { } lane)
        {
            request.SetLane(lane);
        }
        return SendAsync(request, Json.RemoteDirectoryFile, cancellationToken);
    }

    public async Task<RemoteDirectoryFile?> FindFileByUniqueIdAsync(string directoryId, string uniqueId, CancellationToken cancellationToken)
    {
        var page = await SendAsync(
            Get($"api/v1/beta/directories/{Escape(directoryId)}/files?unique_id={Uri.EscapeDataString(uniqueId)}"),
            Json.CursorPageRemoteDirectoryFile,
            cancellationToken);
        return page.Items.FirstOrDefault(f => f.UniqueId == uniqueId && f.DeletedAt is null);
    }

    public async Task<IReadOnlyList<RemoteDirectoryFile>> ListDirectoryFilesAsync(string directoryId, CancellationToken cancellationToken) =>
        [.. (await ListAllAsync($"api/v1/beta/directories/{Escape(directoryId)}/files", Json.CursorPageRemoteDirectoryFile, cancellationToken)).Where(f => f.DeletedAt is null)];

    public async Task<RemoteBatch> CreateBatchAsync(CreateBatchRequest request, CancellationToken cancellationToken) =>
        (await SendAsync(Post("api/v2/batches", JsonContent.Create(request, Json.CreateBatchRequest), createsResource: true), Json.RemoteBatch, cancellationToken)).Redacted(secrets);

    public async Task<IReadOnlyList<RemoteBatch>> ListBatchesForDirectoryAsync(string directoryId, CancellationToken cancellationToken) =>
        [.. (await ListAllAsync($"api/v2/batches?source_directory_id={Uri.EscapeDataString(directoryId)}", Json.CursorPageRemoteBatch, cancellationToken)).Select(b => b.Redacted(secrets))];

    /// <summary>Every item of a cursor-paged list, page after page (an empty page ends it whatever its token says).</summary>
    private async Task<IReadOnlyList<T>> ListAllAsync<T>(string path, JsonTypeInfo<CursorPage<T>> type, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        string? token = null;
        do
        {
            var uri = path + (token is null ? "" : $"{(path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}page_token={Uri.EscapeDataString(token)}");
            var page = await SendAsync(Get(uri), type, cancellationToken);
            items.AddRange(page.Items);
            token = page.Items.Count == 0 ? null : page.NextPageToken;
        }
        while (!string.IsNullOrEmpty(token));

        return items;
    }

    public async Task<RemoteBatch> GetBatchAsync(string batchId, bool expandResults, CancellationToken cancellationToken) =>
        (await SendAsync(
            Get($"api/v2/batches/{Escape(batchId)}" + (expandResults ? "?expand=results" : "")),
            Json.RemoteBatch,
            cancellationToken)).Redacted(secrets);

    public async Task<RemoteBatch> CancelBatchAsync(string batchId, CancellationToken cancellationToken) =>
        (await SendAsync(Post($"api/v2/batches/{Escape(batchId)}/cancel", content: null, createsResource: false), Json.RemoteBatch, cancellationToken)).Redacted(secrets);

    public async Task<ProductJob> CreateParseJobAsync(CreateParseJobRequest request, CancellationToken cancellationToken) =>
        (await SendAsync(Post("api/v2/parse", JsonContent.Create(request, Json.CreateParseJobRequest), createsResource: true), Json.ProductJob, cancellationToken)).Redacted(secrets);

    private HttpRequestMessage Get(string path) => Scoped(HttpMethod.Get, path);

    private HttpRequestMessage Post(string path, HttpContent? content, bool createsResource)
    {
        var request = Scoped(HttpMethod.Post, path);
        request.Content = content;
        if (createsResource)
        {
            // SocketsHttpHandler sends a request without a body again by itself, below our retries, when the reused
            // connection it went out on closes unanswered; one with a body never (docs/resilience.md, "A connection
            // closed without an answer"). A create sent twice would bill twice.
            ArgumentNullException.ThrowIfNull(content);
            request.MarkCreatesResource();
        }

        return request;
    }

    private HttpRequestMessage Scoped(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, scope.Apply(path));
        request.SetScope(scope);
        return request;
    }

    private static string Escape(string id) => Uri.EscapeDataString(id);

    private async Task<T> SendAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await SendRawAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw await ToExceptionAsync(request, response, cancellationToken);
            }

            try
            {
                var answer = await response.Content.ReadFromJsonAsync(type, cancellationToken)
                    ?? throw new LlamaCloudTransientException($"LlamaCloud {request.Method} {request.RequestUri} returned an empty body", response.StatusCode);
                return answer is IWholeAnswer { Lacking: { } field }
                    ? throw new LlamaCloudTransientException($"LlamaCloud {request.Method} {request.RequestUri} answered without '{field}', which it always sends", response.StatusCode)
                    : answer;
            }
            catch (JsonException ex)
            {
                // A truncated or garbled body is a transport fault: the next attempt may read it whole.
                throw new LlamaCloudTransientException(
                    $"LlamaCloud {request.Method} {request.RequestUri} returned a body that is not valid JSON: {ex.Message}", response.StatusCode, null, ex);
            }
            catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException && !cancellationToken.IsCancellationRequested)
            {
                // A Content-Type whose charset .NET cannot decode (a proxy's page, say): as garbled a body, and not the step's
                // bug to fail on. Untyped, it escaped every step's handling of a failed request.
                throw new LlamaCloudTransientException(
                    $"LlamaCloud {request.Method} {request.RequestUri} returned a body that cannot be read ({response.Content.Headers.ContentType}): {ex.Message}", response.StatusCode, null, ex);
            }
        }
    }

    /// <summary>One request through the pipeline; no answer at all (after any retries) is a transient failure.</summary>
    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException && !cancellationToken.IsCancellationRequested)
        {
            var reason = ex is TimeoutRejectedException ? $"no answer within {timing.AttemptTimeout}" : ex.Message;
            throw PausedIfCircuitOpen(request, new LlamaCloudTransientException($"LlamaCloud {request.Method} {request.RequestUri?.AbsolutePath} got no response: {reason}", null, null, ex));
        }
        catch (BrokenCircuitException ex)
        {
            // Not sent (again): the project's circuit is open. The step comes back when it may have closed. A request retried
            // before may have met the circuit its own failures opened, between its attempts.
            throw new LlamaCloudTransientException(
                $"LlamaCloud {request.Method} {request.RequestUri?.AbsolutePath} not sent: project {scope.Key} is paused (its circuit is open)", null, pauses.CircuitWait(scope), ex, deferred: true)
            {
                Pause = PauseReason.CircuitOpen,
                OpenedTheCircuit = request.WasRetried() && pauses.OpenedAgainBy(scope, request),
            };
        }
    }

    private async Task<LlamaCloudException> ToExceptionAsync(HttpRequestMessage request, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = response.StatusCode;
        var detail = await ErrorDetail.ReadAsync(response, secrets, cancellationToken);
        var message = string.Create(
            CultureInfo.InvariantCulture,
            $"LlamaCloud {request.Method} {request.RequestUri?.AbsolutePath} answered {(int)status} {status}{(detail is null ? "" : ": " + detail)}");
        if (ProviderRefusal.Of(status, detail) is { } refusal)
        {
            // Credits or quota: the project is paused, not this request failed (docs/resilience.md).
            var probeIn = await pauses.RefusedAsync(scope, refusal, message);
            return new LlamaCloudTransientException(message, status, probeIn, deferred: true) { Pause = refusal };
        }

        var transient = status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;
        if (!transient)
        {
            return new LlamaCloudRejectedException(message, status, detail);
        }

        // A hint too long to sleep was not retried: the caller is to come back after it.
        var hint = timing.Hint(response);
        return PausedIfCircuitOpen(request, new LlamaCloudTransientException(message, status, hint, deferred: hint is { } wait && !timing.SleepsInProcess(wait)));
    }

    /// <summary>
    /// The request's last attempt may have been the failure that opened the project's circuit: then it ends as
    /// the pause it started (the step comes back later), not as a failure its step would be retried for.
    /// </summary>
    private LlamaCloudTransientException PausedIfCircuitOpen(HttpRequestMessage request, LlamaCloudTransientException failure) =>
        failure.Deferred || !pauses.CircuitOpen(scope)
            ? failure
            : new LlamaCloudTransientException(
                $"{failure.Message}; project {scope.Key} is paused, its circuit opened", failure.StatusCode, pauses.CircuitWait(scope), failure.InnerException, deferred: true)
            {
                Pause = PauseReason.CircuitOpen,
                OpenedTheCircuit = pauses.OpenedAgainBy(scope, request),
            };
}

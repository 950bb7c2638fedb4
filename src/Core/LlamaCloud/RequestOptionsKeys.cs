namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>Per-request facts the handlers and the resilience pipeline read.</summary>
internal static class RequestOptionsKeys
{
    /// <summary>
    /// Set on requests that create something. Such a request is retried only when the server cannot
    /// have acted on it (429, or no connection made); anything ambiguous goes back to the caller,
    /// which looks before it creates again ("no blind retry of a create").
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> CreatesResource = new("BatchOrchestrator.CreatesResource");

    /// <summary>Set on file uploads, the requests LlamaCloud rate-limits per project (50 per 5 s).</summary>
    public static readonly HttpRequestOptionsKey<bool> Upload = new("BatchOrchestrator.Upload");

    /// <summary>The project the request acts in: per-project pacing and pipeline selection key on it.</summary>
    public static readonly HttpRequestOptionsKey<ProjectScope> Scope = new("BatchOrchestrator.ProjectScope");

    /// <summary>The lane (source and priority) an upload shares the project's pace in.</summary>
    public static readonly HttpRequestOptionsKey<UploadLane> Lane = new("BatchOrchestrator.UploadLane");

    /// <summary>Set when an attempt of the request failed and it was retried: the circuit breaker counted that failure.</summary>
    public static readonly HttpRequestOptionsKey<bool> Retried = new("BatchOrchestrator.Retried");

    public static void MarkRetried(this HttpRequestMessage request) => request.Options.Set(Retried, true);

    public static bool WasRetried(this HttpRequestMessage request) => request.Options.TryGetValue(Retried, out var value) && value;

    public static void SetLane(this HttpRequestMessage request, UploadLane lane) => request.Options.Set(Lane, lane);

    public static UploadLane GetLane(this HttpRequestMessage request) =>
        request.Options.TryGetValue(Lane, out var lane) ? lane : UploadLane.Default;

    public static void MarkCreatesResource(this HttpRequestMessage request) => request.Options.Set(CreatesResource, true);

    public static bool CreatesResourceFlag(this HttpRequestMessage request) =>
        request.Options.TryGetValue(CreatesResource, out var value) && value;

    public static void MarkUpload(this HttpRequestMessage request) => request.Options.Set(Upload, true);

    public static bool IsUpload(this HttpRequestMessage request) => request.Options.TryGetValue(Upload, out var value) && value;

    public static void SetScope(this HttpRequestMessage request, ProjectScope scope) => request.Options.Set(Scope, scope);

    /// <summary>The request's project; the key's own for a request nobody scoped.</summary>
    public static ProjectScope GetScope(this HttpRequestMessage request) =>
        request.Options.TryGetValue(Scope, out var scope) ? scope : ProjectScope.Default;
}

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>Per-request flags the handlers read.</summary>
internal static class RequestOptionsKeys
{
    /// <summary>
    /// Set on requests that create something. Such a request is retried only when the server cannot
    /// have acted on it (429, or no connection made); anything ambiguous goes back to the caller,
    /// which looks before it creates again ("no blind retry of a create").
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> CreatesResource = new("BatchOrchestrator.CreatesResource");

    public static void MarkCreatesResource(this HttpRequestMessage request) => request.Options.Set(CreatesResource, true);

    public static bool CreatesResourceFlag(this HttpRequestMessage request) =>
        request.Options.TryGetValue(CreatesResource, out var value) && value;

    /// <summary>Set on file uploads, the requests LlamaCloud rate-limits per project (50 per 5 s).</summary>
    public static readonly HttpRequestOptionsKey<bool> Upload = new("BatchOrchestrator.Upload");

    public static void MarkUpload(this HttpRequestMessage request) => request.Options.Set(Upload, true);

    public static bool IsUpload(this HttpRequestMessage request) => request.Options.TryGetValue(Upload, out var value) && value;
}

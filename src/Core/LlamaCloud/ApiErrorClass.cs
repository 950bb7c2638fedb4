namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>The small taxonomy retries are declared by (docs/contributing.md "Jobs and loops").</summary>
internal enum ApiErrorClass
{
    /// <summary>5xx, timeouts, dropped connections: try again later.</summary>
    Transient,

    /// <summary>429 or quota: try again later, more slowly.</summary>
    Throttled,

    /// <summary>401/403: an operator must fix the key; retrying will not help.</summary>
    Auth,

    /// <summary>400/404/409/422: the request itself was refused; record it, don't retry.</summary>
    Rejected,
}

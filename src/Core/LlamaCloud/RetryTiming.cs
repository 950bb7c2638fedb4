namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>
/// Our rules on top of the SDK's waits: a server hint is honoured up to <c>LlamaCloud:MaxRetryAfter</c>,
/// and only a wait up to <c>LlamaCloud:MaxInProcessRetryWait</c> is slept in-process; a longer one is
/// handed back to the step (a <see cref="LlamaCloudTransientException"/> marked <c>Deferred</c>), which
/// schedules itself again after it instead of holding a worker thread.
/// </summary>
internal sealed class RetryTiming(IOptions<LlamaCloudOptions> options, TimeProvider time)
{
    private LlamaCloudOptions Settings => options.Value;

    /// <summary>The response's hint, capped; null when it gave none.</summary>
    public TimeSpan? Hint(HttpResponseMessage? response)
    {
        var hint = RetryDelay.FromHeaders(response?.Headers, time.GetUtcNow());
        return hint is { } wait && wait > Settings.MaxRetryAfter ? Settings.MaxRetryAfter : hint;
    }

    /// <summary>Whether a wait this long is slept where the call is made rather than handed back.</summary>
    public bool SleepsInProcess(TimeSpan wait) => wait <= Settings.MaxInProcessRetryWait;

    /// <summary>The longest wait slept where the call is made (<see cref="SleepsInProcess"/>).</summary>
    public TimeSpan MaxInProcessWait => Settings.MaxInProcessRetryWait;

    /// <summary>The wait before retry number <paramref name="attempt"/> (0-based) without a hint.</summary>
    public TimeSpan Backoff(int attempt) => RetryDelay.Backoff(attempt, Settings.FirstRetryDelay, Settings.MaxRetryDelay, Random.Shared);

    public int MaxRetries => Settings.MaxRetries;

    public TimeSpan AttemptTimeout => Settings.AttemptTimeout;
}

using BatchOrchestrator.Core.Lifecycle;

namespace BatchOrchestrator.Core.Batches;

/// <summary>Maps the API's batch status (docs/llamacloud-api.md §2.1) onto <see cref="BatchState"/>.</summary>
internal static class RemoteBatchStatus
{
    public static BatchState ToState(string status) => status.ToUpperInvariant() switch
    {
        "PENDING" => BatchState.Pending,
        "THROTTLED" => BatchState.Throttled,
        "RUNNING" => BatchState.Running,
        "COMPLETED" => BatchState.Completed,
        "FAILED" => BatchState.Failed,
        "CANCELLED" => BatchState.Cancelled,
        // An unknown status is treated as still running: polling continues and the watchdog notices.
        _ => BatchState.Running,
    };

    /// <summary>The v1 job statuses (docs/llamacloud-api.md §3.1, lower case); <c>dispatched</c> = every item handed out, not done.</summary>
    public static BatchState FromV1(string status) => status.ToLowerInvariant() switch
    {
        "pending" => BatchState.Pending,
        "running" or "dispatched" => BatchState.Running,
        "completed" => BatchState.Completed,
        "failed" => BatchState.Failed,
        "cancelled" => BatchState.Cancelled,
        _ => BatchState.Running,
    };
}

using BatchOrchestrator.Core.Lifecycle;

namespace BatchOrchestrator.Core.Batches;

/// <summary>Maps the API's batch status (docs/llamacloud-api.md §2.1) onto <see cref="BatchState"/>.</summary>
internal static class RemoteBatchStatus
{
    public static BatchState ToState(string? status) => status?.ToUpperInvariant() switch
    {
        "PENDING" => BatchState.Pending,
        "THROTTLED" => BatchState.Throttled,
        "RUNNING" => BatchState.Running,
        "COMPLETED" => BatchState.Completed,
        "FAILED" => BatchState.Failed,
        "CANCELLED" => BatchState.Cancelled,
        // An unknown status, or none (an answer without it), is treated as still running: polling continues and the
        // watchdog notices. Thrown, one such answer stopped the poll tick of every batch.
        _ => BatchState.Running,
    };

    /// <summary>The v1 job statuses (docs/llamacloud-api.md §3.1, lower case); <c>dispatched</c> = every item handed out, not done.</summary>
    public static BatchState FromV1(string? status) => status?.ToLowerInvariant() switch
    {
        "pending" => BatchState.Pending,
        "running" or "dispatched" => BatchState.Running,
        "completed" => BatchState.Completed,
        "failed" => BatchState.Failed,
        "cancelled" => BatchState.Cancelled,
        _ => BatchState.Running,
    };
}

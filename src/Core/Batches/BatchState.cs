namespace BatchOrchestrator.Core.Batches;

/// <summary>
/// Our batch's life (DESIGN.md "States"): files are assigned (Planned) and uploaded into the batch's
/// own remote directory, the row is marked Creating before the POST, then it follows the remote
/// status until a terminal one, and ends once its per-file results are recorded.
/// Stored by name; renaming a member is a migration.
/// </summary>
internal enum BatchState
{
    Planned,
    Creating,
    Pending,
    Throttled,
    Running,
    Completed,
    Failed,
    Cancelled,
    ResultsRecorded,
}

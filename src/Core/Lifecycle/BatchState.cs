namespace BatchOrchestrator.Core.Lifecycle;

/// <summary>
/// Our batch's life (docs/architecture.md, States): files are assigned (Planned) and uploaded into the
/// batch's own remote directory, the row is marked Creating before the POST, then it follows the remote
/// status until a terminal one, and ends once its per-file results are recorded. The moves between
/// these are <see cref="BatchLifecycle"/>'s. Stored by name; renaming a member is a migration.
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

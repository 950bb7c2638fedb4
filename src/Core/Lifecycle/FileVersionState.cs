namespace BatchOrchestrator.Core.Lifecycle;

/// <summary>
/// A file version's life (docs/architecture.md, States); the moves between these are
/// <see cref="FileVersionLifecycle"/>'s. Stored by name; renaming a member is a migration.
/// </summary>
internal enum FileVersionState
{
    Discovered,
    Uploaded,
    Submitted,
    Succeeded,
    Failed,
    Skipped,

    /// <summary>Held back by a spending cap before being put in a batch; the next planning with room, or an operator's approval, takes it.</summary>
    Held,
}

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
}

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// A file version's life (DESIGN.md "States"). Stored by name; renaming a member is a migration.
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

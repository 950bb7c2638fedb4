namespace BatchOrchestrator.Persistence.Migrations;

/// <summary>
/// The database was migrated by a newer build than this one. Each release's SQL is written for its own schema (a
/// key another build changed makes its writes fail, or worse, succeed differently), so this build does not start
/// on it: nothing scanned, nothing uploaded, a rollback said plainly rather than half working.
/// </summary>
internal sealed class SchemaNewerThanBuildException(int current, int latest) : InvalidOperationException(
    $"the database's schema is at version {current}, newer than this build's {latest}: a newer build migrated it. Run that build (or a newer one); this one does not start on it, and no migration goes back");

namespace BatchOrchestrator.Core.Operations;

/// <summary>
/// What a rename found, and did: rows of the old and the new name per table (<c>source</c> is the source's own row),
/// and why nothing moved, when it was refused. <see cref="Moved"/> is false for a dry run or a refusal.
/// </summary>
internal sealed record SourceRename(
    string From,
    string To,
    IReadOnlyList<(string Table, long FromRows, long ToRows)> Rows,
    bool Moved,
    string? RefusedBecause)
{
    /// <summary>No row anywhere names the old source: a name mistyped, or a source that never ran.</summary>
    public bool Unknown => Rows.All(r => r.FromRows == 0);
}

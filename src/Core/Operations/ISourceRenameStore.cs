namespace BatchOrchestrator.Core.Operations;

/// <summary>A source's whole record, every row its Name keys, moved to another Name in one transaction.</summary>
internal interface ISourceRenameStore
{
    /// <summary>
    /// Counts the rows of <paramref name="from"/> and <paramref name="to"/> in every table keyed by a source, and
    /// unless <paramref name="dryRun"/> or refused (the new name has a record, a batch of the old one has not ended,
    /// or a step holds one of its batches), gives every row of <paramref name="from"/> to <paramref name="to"/>.
    /// </summary>
    Task<SourceRename> RenameAsync(string from, string to, bool dryRun, CancellationToken cancellationToken);
}

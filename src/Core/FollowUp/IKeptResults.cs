namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// Results a sink already holds, to deliver again without asking LlamaCloud: for a file found with the content of a
/// version whose job remote hygiene has since deleted (a rename or a copy made later), the version's own result, as
/// the PostgreSQL sink kept it. Null when no sink kept it.
/// </summary>
internal interface IKeptResults
{
    Task<KeptResult?> FindAsync(long fileVersionId, string jobId, CancellationToken cancellationToken);
}

/// <summary>A result as a sink kept it.</summary>
internal sealed record KeptResult(string? Markdown, string? Text, string ResultJson)
{
    /// <summary>The pages its job failed (<see cref="FollowUpDocument.FailedPages"/>): a copy delivered from it is partial too.</summary>
    public IReadOnlyList<int> FailedPages { get; init; } = [];

    public string? FailedPageError { get; init; }
}

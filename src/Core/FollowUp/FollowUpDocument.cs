namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// The fetched result of one job reference. <see cref="Markdown"/> and <see cref="Text"/> are set for
/// parse jobs; <see cref="ResultJson"/> (JSON text) holds the parse job's metadata, the extract job's
/// <c>extract_result</c>, or the classification. <see cref="Superseded"/> is true when a newer version
/// of the same file, or this version sent again in a later batch, already has its result, so a mirror must not overwrite it. <see cref="SameContentAs"/> is set
/// on a copy's document: the path of the file whose content (and so whose result) this path has, which was sent
/// and billed once, under that name.
/// </summary>
public sealed record FollowUpDocument(
    long FileVersionId,
    long BatchId,
    string Source,
    string RelativePath,
    string JobType,
    string JobId,
    string? Markdown,
    string? Text,
    string ResultJson,
    bool Superseded,
    DateTimeOffset FetchedAt,
    string? SameContentAs = null)
{
    /// <summary>
    /// The pages LlamaCloud failed to process in a job that still COMPLETED (docs/llamacloud-api.md §6.2): the
    /// result holds what parsed, without them. Empty when none failed, or when the job's answer cannot say.
    /// </summary>
    public IReadOnlyList<int> FailedPages { get; init; } = [];

    /// <summary>The error of the first of <see cref="FailedPages"/>, as LlamaCloud gave it.</summary>
    public string? FailedPageError { get; init; }
}

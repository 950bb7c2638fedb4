namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// Where fetched results go. Two are built in (<c>FileSystem</c>, <c>Postgres</c>); to add one,
/// register an implementation as a singleton <see cref="IFollowUpSink"/> and name it in
/// <c>FollowUp:Sinks</c> or a source's <c>FollowUpSinks</c>. A sink must be idempotent: a document
/// is written again when a follow-up is retried. An exception fails the documents it was given;
/// they are looked at again later, up to <c>FollowUp:MaxAttempts</c>.
/// </summary>
public interface IFollowUpSink
{
    /// <summary>The name configuration refers to it by.</summary>
    string Name { get; }

    /// <summary>Writes a chunk of results, all of one batch (so of one source).</summary>
    Task WriteAsync(IReadOnlyList<FollowUpDocument> documents, CancellationToken cancellationToken);
}

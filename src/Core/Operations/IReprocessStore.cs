namespace BatchOrchestrator.Core.Operations;

/// <summary>What configuration-change previews and reprocessing read and write.</summary>
internal interface IReprocessStore
{
    /// <summary>
    /// The source's Succeeded file versions whose batch ran under another fingerprint than
    /// <paramref name="currentFingerprint"/>, with whether each can be sent again as it is (its file is
    /// still in the folder with the same content, and its last follow-up is not still pending).
    /// </summary>
    IAsyncEnumerable<ReprocessCandidate> CandidatesAsync(string source, string currentFingerprint, CancellationToken cancellationToken);

    /// <summary>
    /// Puts these versions back in the queue (Discovered, no batch, attempts reset) as long as they are
    /// still Succeeded under another fingerprint; the next run batches them as new. Returns how many.
    /// </summary>
    Task<int> RequeueAsync(IReadOnlyList<long> fileVersionIds, string currentFingerprint, CancellationToken cancellationToken);
}

/// <summary>A file version processed under an older configuration.</summary>
internal sealed record ReprocessCandidate(long FileVersionId, string RelativePath, string Fingerprint, DateTimeOffset ProcessedAt, bool Sendable);

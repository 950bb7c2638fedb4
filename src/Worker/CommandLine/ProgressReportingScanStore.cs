using System.Runtime.CompilerServices;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>The scan store as the scanner sees it, counting for the progress bar of <c>scan</c>; otherwise unchanged.</summary>
internal sealed class ProgressReportingScanStore(ISourceScanStore inner, ScanProgress progress) : ISourceScanStore
{
    public async IAsyncEnumerable<StoredLook> ReadLooksAsync(string source, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var look in inner.ReadLooksAsync(source, cancellationToken))
        {
            progress.AddKnown();
            yield return look;
        }
    }

    public IScanDiffWriter BeginDiff(string source, DateTimeOffset scanTime) => new CountingDiff(inner.BeginDiff(source, scanTime), progress);

    public async IAsyncEnumerable<FileObservation> ReadHashCandidatesAsync(
        string source, DateTimeOffset settledBefore, long maxFileBytes, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var candidate in inner.ReadHashCandidatesAsync(source, settledBefore, maxFileBytes, cancellationToken))
        {
            progress.AddCandidate();
            yield return candidate;
        }
    }

    public async Task<HashesRecorded> RecordHashesAsync(string source, DedupeKey key, RemoteLayout layout, IReadOnlyList<HashedFile> files, CancellationToken cancellationToken)
    {
        var created = await inner.RecordHashesAsync(source, key, layout, files, cancellationToken);
        progress.AddHashed(files.Count);
        return created;
    }

    public Task<int> ReviveFromCopiesAsync(string source, CancellationToken cancellationToken) => inner.ReviveFromCopiesAsync(source, cancellationToken);

    public Task ReplaceProblemsAsync(string source, IReadOnlyList<ScanProblem> problems, DateTimeOffset scanTime, CancellationToken cancellationToken) =>
        inner.ReplaceProblemsAsync(source, problems, scanTime, cancellationToken);

    private sealed class CountingDiff(IScanDiffWriter inner, ScanProgress progress) : IScanDiffWriter
    {
        public ValueTask UpsertAsync(FileObservation observation, CancellationToken cancellationToken)
        {
            progress.AddChanged();
            return inner.UpsertAsync(observation, cancellationToken);
        }

        public ValueTask VanishedAsync(string relativePath, CancellationToken cancellationToken) => inner.VanishedAsync(relativePath, cancellationToken);

        public async Task CommitAsync(DateTimeOffset lookedAt, CancellationToken cancellationToken)
        {
            await inner.CommitAsync(lookedAt, cancellationToken);
            progress.WalkFinished();
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

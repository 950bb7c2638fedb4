using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>The scan store as the scanner sees it, counting for the progress bar of <c>scan</c>; otherwise unchanged.</summary>
internal sealed class ProgressReportingScanStore(ISourceScanStore inner, ScanProgress progress) : ISourceScanStore
{
    public async Task<ObservationSummary> MergeObservationsAsync(
        string source, IEnumerable<FileObservation> observations, DateTimeOffset scanTime, DateTimeOffset settledBefore, CancellationToken cancellationToken)
    {
        var summary = await inner.MergeObservationsAsync(source, progress.Count(observations), scanTime, settledBefore, cancellationToken);
        progress.WalkFinished(summary);
        return summary;
    }

    public IAsyncEnumerable<FileObservation> ReadHashCandidatesAsync(string source, DateTimeOffset settledBefore, CancellationToken cancellationToken) =>
        inner.ReadHashCandidatesAsync(source, settledBefore, cancellationToken);

    public async Task<int> RecordHashesAsync(string source, IReadOnlyList<HashedFile> files, CancellationToken cancellationToken)
    {
        var created = await inner.RecordHashesAsync(source, files, cancellationToken);
        progress.AddHashed(files.Count);
        return created;
    }
}

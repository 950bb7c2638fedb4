using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// The scan use case: enumerate (streaming), compare with stored state in bulk, hash only settled
/// files whose size or mtime changed, and turn unseen content into file versions.
/// </summary>
internal sealed class SourceScanner(ISourceScanStore store, TimeProvider time, ILogger<SourceScanner> logger)
{
    private const int HashParallelism = 4;
    private const int WriteChunk = 1_000;

    public async Task<ScanSummary> ScanAsync(SourceOptions source, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(source.Path);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Source '{source.Name}': folder '{root}' does not exist or cannot be read");
        }

        var scanTime = time.GetUtcNow();
        var filter = new GlobFilter(source.Include, source.Exclude);
        var settledBefore = scanTime - source.SettleWindow;
        var merged = await store.MergeObservationsAsync(source.Name, SourceEnumerator.Enumerate(root, filter), scanTime, settledBefore, cancellationToken);

        var hashed = 0;
        var deferred = 0;
        var newVersions = 0;
        var results = Channel.CreateBounded<HashedFile>(WriteChunk * 2);
        var writer = Task.Run(
            async () =>
            {
                var chunk = new List<HashedFile>(WriteChunk);
                await foreach (var file in results.Reader.ReadAllAsync(cancellationToken))
                {
                    chunk.Add(file);
                    if (chunk.Count == WriteChunk)
                    {
                        newVersions += await store.RecordHashesAsync(source.Name, chunk, cancellationToken);
                        chunk.Clear();
                    }
                }

                if (chunk.Count > 0)
                {
                    newVersions += await store.RecordHashesAsync(source.Name, chunk, cancellationToken);
                }
            },
            cancellationToken);

        try
        {
            var candidates = store.ReadHashCandidatesAsync(source.Name, settledBefore, cancellationToken);
            await Parallel.ForEachAsync(
                candidates,
                new ParallelOptions { MaxDegreeOfParallelism = HashParallelism, CancellationToken = cancellationToken },
                async (candidate, ct) =>
                {
                    var hash = await TryHashAsync(root, candidate, ct);
                    if (hash is null)
                    {
                        // Unreadable, or changed since the look: the next scan looks again.
                        Interlocked.Increment(ref deferred);
                        return;
                    }

                    Interlocked.Increment(ref hashed);
                    await results.Writer.WriteAsync(new HashedFile(candidate, hash), ct);
                });
        }
        finally
        {
            results.Writer.TryComplete();
        }

        await writer;
        var summary = new ScanSummary(merged.Seen, merged.NewOrChanged, merged.Vanished, merged.Unsettled, hashed, newVersions, deferred);
        logger.LogInformation(
            "Scanned {Source}: {Seen} files, {NewOrChanged} new or changed, {Unsettled} still settling, {Hashed} hashed, {NewVersions} new versions",
            source.Name, summary.Seen, summary.NewOrChanged, summary.Unsettled, summary.Hashed, summary.NewVersions);
        return summary;
    }

    private async Task<byte[]?> TryHashAsync(string root, FileObservation candidate, CancellationToken cancellationToken)
    {
        var fullPath = Path.Combine(root, candidate.RelativePath);
        try
        {
            if (!ContentHasher.IsUnchanged(fullPath, candidate))
            {
                return null; // changed since the look; the next scan starts its settle period again
            }

            return await ContentHasher.HashAsync(fullPath, candidate, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Cannot read {Path} in {Root}: {Reason}", candidate.RelativePath, root, ex.Message);
            return null;
        }
    }
}

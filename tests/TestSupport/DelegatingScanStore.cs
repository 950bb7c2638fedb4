using BatchOrchestrator.Core.Sources;
using Microsoft.Extensions.DependencyInjection;

namespace BatchOrchestrator.TestSupport;

/// <summary>
/// The service's scan store with one call changed: every call goes to the real store unless a test overrides it (held
/// back, failed, or something done to the file on disk first).
/// </summary>
internal abstract class DelegatingScanStore(ISourceScanStore inner) : ISourceScanStore
{
    /// <summary>The real store.</summary>
    protected ISourceScanStore Inner { get; } = inner;

    /// <summary>Puts the store <paramref name="wrap"/> makes of the registered one in its place.</summary>
    public static void Replace(IServiceCollection services, Func<ISourceScanStore, IServiceProvider, ISourceScanStore> wrap)
    {
        var original = services.Single(d => d.ServiceType == typeof(ISourceScanStore));
        services.Remove(original);
        services.AddSingleton(sp => wrap((ISourceScanStore)ActivatorUtilities.CreateInstance(sp, original.ImplementationType!), sp));
    }

    public virtual IAsyncEnumerable<StoredLook> ReadLooksAsync(string source, CancellationToken cancellationToken) => Inner.ReadLooksAsync(source, cancellationToken);

    public virtual IScanDiffWriter BeginDiff(string source, DateTimeOffset scanTime) => Inner.BeginDiff(source, scanTime);

    public virtual IAsyncEnumerable<FileObservation> ReadHashCandidatesAsync(string source, DateTimeOffset settledBefore, long maxFileBytes, CancellationToken cancellationToken) =>
        Inner.ReadHashCandidatesAsync(source, settledBefore, maxFileBytes, cancellationToken);

    public virtual Task<HashesRecorded> RecordHashesAsync(string source, DedupeKey key, RemoteLayout layout, IReadOnlyList<HashedFile> files, CancellationToken cancellationToken) =>
        Inner.RecordHashesAsync(source, key, layout, files, cancellationToken);

    public Task<int> ReviveFromCopiesAsync(string source, CancellationToken cancellationToken) => Inner.ReviveFromCopiesAsync(source, cancellationToken);

    public Task ReplaceProblemsAsync(string source, IReadOnlyList<ScanProblem> problems, DateTimeOffset scanTime, CancellationToken cancellationToken) =>
        Inner.ReplaceProblemsAsync(source, problems, scanTime, cancellationToken);
}

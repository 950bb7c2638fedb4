using System.Runtime.CompilerServices;

namespace BatchOrchestrator.Core.Tests.Sources;

/// <summary>
/// The merge of a walk with the stored looks: the walk is asked for first, so it runs while PostgreSQL
/// prepares the stored looks (which, for a sorted read of a whole source, may come only once all are read).
/// </summary>
public sealed class ScanMergerFacts
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task MergeAsync_StartsTheWalk_BeforeTheFirstStoredLookHasCome()
    {
        var walkStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The stored looks come only once the walk has begun: were they asked for first, they would never come.
        var store = new Store(async ct =>
        {
            await walkStarted.Task.WaitAsync(Patience, ct);
            return [new StoredLook("a.txt", 1, 10, Now, Hashed: true, Deleted: false)];
        });

        var summary = await ScanMerger.MergeAsync(
            store, "docs", Walk(walkStarted, new WalkItem("a.txt", 1, 10), new WalkItem("b.txt", 2, 20)), Now, TimeProvider.System, Now, 100, () => false, _ => { }, TestContext.Current.CancellationToken);

        Assert.Equal(new ObservationSummary(Seen: 2, NewOrChanged: 1, Vanished: 0, Unsettled: 0), summary);
        Assert.Equal(["b.txt"], store.Upserted);
    }

    [Fact]
    public async Task MergeAsync_ReportsTheStoresFailure_WhileTheWalksFirstStepIsUnderWay()
    {
        var walkStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = new Store(_ => throw new TimeoutException("the database did not answer"));

        var thrown = await Assert.ThrowsAsync<TimeoutException>(() => ScanMerger.MergeAsync(
            store, "docs", SlowWalk(walkStarted, TestContext.Current.CancellationToken), Now, TimeProvider.System, Now, 100, () => false, _ => { }, TestContext.Current.CancellationToken));

        Assert.Equal("the database did not answer", thrown.Message);
        Assert.True(walkStarted.Task.IsCompleted);
    }

    private static async IAsyncEnumerable<WalkItem> Walk(TaskCompletionSource started, params WalkItem[] items)
    {
        started.TrySetResult();
        await Task.Yield();
        foreach (var item in items)
        {
            yield return item;
        }
    }

    /// <summary>A walk whose first item comes after the store has already failed.</summary>
    private static async IAsyncEnumerable<WalkItem> SlowWalk(TaskCompletionSource started, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        started.TrySetResult();
        await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        yield return new WalkItem("a.txt", 1, 10);
    }

    private sealed class Store(Func<CancellationToken, Task<StoredLook[]>> looks) : ISourceScanStore, IScanDiffWriter
    {
        public List<string> Upserted { get; } = [];

        public async IAsyncEnumerable<StoredLook> ReadLooksAsync(string source, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            foreach (var look in await looks(cancellationToken))
            {
                yield return look;
            }
        }

        public IScanDiffWriter BeginDiff(string source, DateTimeOffset scanTime) => this;

        public ValueTask UpsertAsync(FileObservation observation, CancellationToken cancellationToken)
        {
            Upserted.Add(observation.RelativePath);
            return ValueTask.CompletedTask;
        }

        public ValueTask VanishedAsync(string relativePath, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public Task CommitAsync(DateTimeOffset lookedAt, CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        public IAsyncEnumerable<FileObservation> ReadHashCandidatesAsync(string source, DateTimeOffset settledBefore, long maxFileBytes, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<HashesRecorded> RecordHashesAsync(string source, DedupeKey key, RemoteLayout layout, IReadOnlyList<HashedFile> files, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<int> ReviveFromCopiesAsync(string source, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task ReplaceProblemsAsync(string source, IReadOnlyList<ScanProblem> problems, DateTimeOffset scanTime, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}

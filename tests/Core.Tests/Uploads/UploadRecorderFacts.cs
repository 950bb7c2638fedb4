using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Retries;
using BatchOrchestrator.Core.Uploads;

namespace BatchOrchestrator.Core.Tests.Uploads;

/// <summary>
/// When the recorder writes the outcomes it is handed. The clock here never moves, so the recorder's
/// gathering wait never ends on its own: a write before completion happens only because enough outcomes
/// have gathered, and whatever is left is written at completion.
/// </summary>
public sealed class UploadRecorderFacts
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly Lease Fence = new("batch:1", "this instance", 1);

    [Fact]
    public async Task Add_WritesWhileUploadsGoOn_OnceEnoughOutcomesHaveGathered()
    {
        var store = new Store();
        var clock = new StoppedClock();
        using var stop = new CancellationTokenSource();
        await using var recorder = new UploadRecorder(store, Fence, clock, stop, TestContext.Current.CancellationToken);

        recorder.Add(1, Remote(1));
        await clock.TimerCreated.WaitAsync(Patience, TestContext.Current.CancellationToken); // the writer gathers now
        for (var id = 2; id <= 64; id++)
        {
            recorder.Add(id, Remote(id));
        }

        // Waiting out a gathering time that never ends would leave all 64 for the batch's end.
        var first = await store.Writes.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Patience, TestContext.Current.CancellationToken);
        Assert.Equal(Enumerable.Range(1, 64).Select(i => (long)i), first);
    }

    [Fact]
    public async Task CompleteAsync_WritesAFewWaitingOutcomes_AtOnceAndInOneStatement()
    {
        var store = new Store();
        using var stop = new CancellationTokenSource();
        await using var recorder = new UploadRecorder(store, Fence, new StoppedClock(), stop, TestContext.Current.CancellationToken);
        for (var id = 1; id <= 10; id++)
        {
            recorder.Add(id, Remote(id));
        }

        await recorder.CompleteAsync().WaitAsync(Patience, TestContext.Current.CancellationToken);

        store.Writes.Writer.Complete();
        var writes = await store.Writes.Reader.ReadAllAsync(TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal([Enumerable.Range(1, 10).Select(i => (long)i).ToArray()], writes);
    }

    [Fact]
    public async Task AWriteRefusedForAStaleFencingToken_StopsTheSendsAtOnce_AndCompletingSaysWhy()
    {
        var store = new Store { Refuse = true }; // another holder took the lease over
        using var stop = new CancellationTokenSource();
        await using var recorder = new UploadRecorder(store, Fence, new StoppedClock(), stop, TestContext.Current.CancellationToken);

        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watch = stop.Token.Register(() => stopped.TrySetResult());
        for (var id = 1; id <= 64; id++)
        {
            recorder.Add(id, Remote(id)); // enough to be written while the uploads go on
        }

        await stopped.Task.WaitAsync(Patience, TestContext.Current.CancellationToken); // the sends still under way are cancelled

        Assert.True(recorder.Refused);
        var refused = await Assert.ThrowsAsync<LeaseLostException>(recorder.CompleteAsync);
        Assert.Equal(Fence, refused.Lease);
    }

    private static RemoteDirectoryFile Remote(long id) => new($"dfl-{id}", "dir-1", $"doc{id}.txt", "prj-1", $"fv-{id}", $"file-{id}");

    /// <summary>A clock whose timers never fire; it tells when the first is set.</summary>
    private sealed class StoppedClock : TimeProvider
    {
        private readonly TaskCompletionSource timerCreated = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task TimerCreated => timerCreated.Task;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            timerCreated.TrySetResult();
            return new NeverFires();
        }

        private sealed class NeverFires : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    /// <summary>Keeps the file version ids of each bulk write; nothing else is called by the recorder.</summary>
    private sealed class Store : IUploadStore
    {
        public System.Threading.Channels.Channel<long[]> Writes { get; } = System.Threading.Channels.Channel.CreateUnbounded<long[]>();

        public bool Refuse { get; init; }

        public Task MarkUploadedAsync(IReadOnlyList<UploadedFile> files, Lease fence, CancellationToken cancellationToken)
        {
            if (Refuse)
            {
                return Task.FromException(new LeaseLostException(fence));
            }

            Writes.Writer.TryWrite([.. files.Select(f => f.FileVersionId)]);
            return Task.CompletedTask;
        }

        public Task<UploadWork?> GetWorkAsync(long batchId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<long?> NextPlannedAsync(string source, long after, IReadOnlyCollection<long> except, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task SetRemoteDirectoryAsync(long batchId, string directoryId, Lease fence, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<int> ForgetRemoteDirectoryAsync(long batchId, string directoryId, Lease fence, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task MarkUploadStartedAsync(long fileVersionId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task HoldLeaseAsync(Lease fence, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task MarkUploadedAsync(long fileVersionId, string remoteFileId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task MarkUploadIntentAsync(long batchId, long throughFileVersionId, Lease fence, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task MarkNotUploadedAsync(long fileVersionId, FileVersionState outcome, FailureClass? errorClass, string reason, Lease fence, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<MirrorRemoval>> GetMirrorRemovalsAsync(long batchId, string directoryId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task MarkRemoteDeletedAsync(long fileVersionId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<HeldCopies> GetHeldCopiesAsync(string source, string directoryId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<BatchState> FinishUploadsAsync(long batchId, Lease fence, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}

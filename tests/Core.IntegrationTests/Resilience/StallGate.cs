using BatchOrchestrator.Core.Leases;

namespace BatchOrchestrator.Core.IntegrationTests.Resilience;

/// <summary>
/// Freezes the first call of one write of a step, as a long GC pause or a frozen VM would, until the test lets it go:
/// everything else passes straight through to the real stores.
/// </summary>
internal sealed class StallGate
{
    private readonly TaskCompletionSource entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int armed = (int)At.Nothing;

    public enum At
    {
        Nothing,
        CreateSent,
        UploadIntent,

        /// <summary>Just after the upload intent was written: the files are handed out once the gate opens.</summary>
        UploadIntentWritten,

        /// <summary>A follow-up's save of a chunk's outcomes, its jobs looked at and its results handed to the sinks.</summary>
        FollowUpSave,

        /// <summary>About to give the batch up (its attempts used up, its source removed, a refusal).</summary>
        GiveUp,

        /// <summary>Just after a follow-up read what waits in its batch: it looks, and writes to the sinks, once the gate opens.</summary>
        FollowUpPendingRead,

        /// <summary>A follow-up's save of a chunk once an earlier save (of its first chunk, in a fact that follows one batch up) has committed.</summary>
        LaterFollowUpSave,
    }

    /// <summary>Completes when the frozen write has been reached.</summary>
    public Task Entered => entered.Task;

    public void Arm(At at) => Volatile.Write(ref armed, (int)at);

    public void Release() => released.TrySetResult();

    /// <summary>Puts the gate in front of the real batch, upload and follow-up stores.</summary>
    public static void Install(IServiceCollection services, StallGate gate)
    {
        Replace<IBatchStore>(services, inner => new GatedBatchStore(inner, gate));
        Replace<IUploadStore>(services, inner => new GatedUploadStore(inner, gate));
        Replace<IFollowUpStore>(services, inner => new GatedFollowUpStore(inner, gate));
    }

    private async Task PassAsync(At at, CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref armed, (int)At.Nothing, (int)at) == (int)at)
        {
            entered.TrySetResult();
            await released.Task.WaitAsync(cancellationToken);
        }
    }

    private static void Replace<T>(IServiceCollection services, Func<T, T> gated) where T : class
    {
        var original = services.Single(d => d.ServiceType == typeof(T));
        services.Remove(original);
        services.AddSingleton(sp => gated((T)ActivatorUtilities.CreateInstance(sp, original.ImplementationType!)));
    }

    private sealed class GatedBatchStore(IBatchStore inner, StallGate gate) : IBatchStore
    {
        public async Task RecordCreateSentAsync(long batchId, bool sent, Lease fence, CancellationToken cancellationToken)
        {
            await gate.PassAsync(At.CreateSent, cancellationToken);
            await inner.RecordCreateSentAsync(batchId, sent, fence, cancellationToken);
        }

        public Task<BatchRecord?> GetAsync(long batchId, CancellationToken cancellationToken) => inner.GetAsync(batchId, cancellationToken);

        public Task<int> RemoteOnlyFailuresInARowAsync(string source, CancellationToken cancellationToken) => inner.RemoteOnlyFailuresInARowAsync(source, cancellationToken);

        public Task<AdoptionWindow> GetAdoptionWindowAsync(long batchId, CancellationToken cancellationToken) => inner.GetAdoptionWindowAsync(batchId, cancellationToken);

        public Task RecordPreexistingBatchesAsync(long batchId, IReadOnlyList<string> remoteBatchIds, Lease fence, CancellationToken cancellationToken) =>
            inner.RecordPreexistingBatchesAsync(batchId, remoteBatchIds, fence, cancellationToken);

        public Task<bool> FinishCancelledAsync(long batchId, Lease fence, CancellationToken cancellationToken) => inner.FinishCancelledAsync(batchId, fence, cancellationToken);

        public Task RecordSubmittedAsync(long batchId, string remoteBatchId, BatchState state, TimeSpan pollIn, Lease fence, CancellationToken cancellationToken) =>
            inner.RecordSubmittedAsync(batchId, remoteBatchId, state, pollIn, fence, cancellationToken);

        public Task<IReadOnlyList<DueBatch>> ClaimDueAsync(int max, TimeSpan claimFor, CancellationToken cancellationToken) => inner.ClaimDueAsync(max, claimFor, cancellationToken);

        public Task SavePollOutcomesAsync(IReadOnlyList<PollOutcome> outcomes, CancellationToken cancellationToken) => inner.SavePollOutcomesAsync(outcomes, cancellationToken);

        public Task<IReadOnlyList<StalledBatch>> ClaimStalledAsync(TimeSpan olderThan, int max, CancellationToken cancellationToken) =>
            inner.ClaimStalledAsync(olderThan, max, cancellationToken);

        public Task<RecordSummary> RecordResultsAsync(long batchId, BatchState remoteState, IReadOnlyList<FileResult> results, RecordPolicy policy, CancellationToken cancellationToken) =>
            inner.RecordResultsAsync(batchId, remoteState, results, policy, cancellationToken);

        public Task<DateTimeOffset> ListedShortSinceAsync(long batchId, DateTimeOffset now, CancellationToken cancellationToken) =>
            inner.ListedShortSinceAsync(batchId, now, cancellationToken);

        public Task<RecordSummary> RecordLostAsync(long batchId, LostBatch lost, RecordPolicy policy, CancellationToken cancellationToken) =>
            inner.RecordLostAsync(batchId, lost, policy, cancellationToken);

        public Task<IReadOnlyList<string>> GetRemoteFileIdsAsync(long batchId, CancellationToken cancellationToken) => inner.GetRemoteFileIdsAsync(batchId, cancellationToken);

        public Task<int> BeginStepAttemptAsync(long batchId, CancellationToken cancellationToken) => inner.BeginStepAttemptAsync(batchId, cancellationToken);

        public Task RefundStepAttemptAsync(long batchId, Lease fence, CancellationToken cancellationToken) => inner.RefundStepAttemptAsync(batchId, fence, cancellationToken);

        public Task RecordStepErrorAsync(long batchId, string error, CancellationToken cancellationToken) => inner.RecordStepErrorAsync(batchId, error, cancellationToken);

        public async Task<SentBack?> GiveUpAsync(long batchId, BatchAbandonment how, RetryRule retry, Lease fence, CancellationToken cancellationToken)
        {
            await gate.PassAsync(At.GiveUp, cancellationToken);
            return await inner.GiveUpAsync(batchId, how, retry, fence, cancellationToken);
        }

        public Task<bool> MakeDueNowAsync(string remoteBatchId, CancellationToken cancellationToken) => inner.MakeDueNowAsync(remoteBatchId, cancellationToken);

        public Task MarkCancelSentAsync(long batchId, CancellationToken cancellationToken) => inner.MarkCancelSentAsync(batchId, cancellationToken);
    }

    private sealed class GatedUploadStore(IUploadStore inner, StallGate gate) : IUploadStore
    {
        public async Task MarkUploadIntentAsync(long batchId, long throughFileVersionId, Lease fence, CancellationToken cancellationToken)
        {
            await gate.PassAsync(At.UploadIntent, cancellationToken);
            await inner.MarkUploadIntentAsync(batchId, throughFileVersionId, fence, cancellationToken);
            await gate.PassAsync(At.UploadIntentWritten, cancellationToken);
        }

        public Task HoldLeaseAsync(Lease fence, CancellationToken cancellationToken) => inner.HoldLeaseAsync(fence, cancellationToken);

        public Task<UploadWork?> GetWorkAsync(long batchId, CancellationToken cancellationToken) => inner.GetWorkAsync(batchId, cancellationToken);

        public Task<long?> NextPlannedAsync(string source, long after, IReadOnlyCollection<long> except, CancellationToken cancellationToken) =>
            inner.NextPlannedAsync(source, after, except, cancellationToken);

        public Task SetRemoteDirectoryAsync(long batchId, string directoryId, Lease fence, CancellationToken cancellationToken) =>
            inner.SetRemoteDirectoryAsync(batchId, directoryId, fence, cancellationToken);

        public Task<int> ForgetRemoteDirectoryAsync(long batchId, string directoryId, Lease fence, CancellationToken cancellationToken) =>
            inner.ForgetRemoteDirectoryAsync(batchId, directoryId, fence, cancellationToken);

        public Task MarkUploadStartedAsync(long fileVersionId, CancellationToken cancellationToken) => inner.MarkUploadStartedAsync(fileVersionId, cancellationToken);

        public Task MarkUploadedAsync(long fileVersionId, string remoteFileId, CancellationToken cancellationToken) =>
            inner.MarkUploadedAsync(fileVersionId, remoteFileId, cancellationToken);

        public Task MarkUploadedAsync(IReadOnlyList<UploadedFile> files, Lease fence, CancellationToken cancellationToken) => inner.MarkUploadedAsync(files, fence, cancellationToken);

        public Task MarkNotUploadedAsync(long fileVersionId, FileVersionState outcome, FailureClass? errorClass, string reason, Lease fence, CancellationToken cancellationToken) =>
            inner.MarkNotUploadedAsync(fileVersionId, outcome, errorClass, reason, fence, cancellationToken);

        public Task<IReadOnlyList<MirrorRemoval>> GetMirrorRemovalsAsync(long batchId, string directoryId, CancellationToken cancellationToken) =>
            inner.GetMirrorRemovalsAsync(batchId, directoryId, cancellationToken);

        public Task MarkRemoteDeletedAsync(long fileVersionId, CancellationToken cancellationToken) => inner.MarkRemoteDeletedAsync(fileVersionId, cancellationToken);

        public Task<HeldCopies> GetHeldCopiesAsync(string source, string directoryId, CancellationToken cancellationToken) =>
            inner.GetHeldCopiesAsync(source, directoryId, cancellationToken);

        public Task<BatchState> FinishUploadsAsync(long batchId, Lease fence, CancellationToken cancellationToken) => inner.FinishUploadsAsync(batchId, fence, cancellationToken);
    }

    private sealed class GatedFollowUpStore(IFollowUpStore inner, StallGate gate) : IFollowUpStore
    {
        private int saves;

        public async Task SaveAsync(IReadOnlyList<FollowUpOutcome> outcomes, IReadOnlyList<CopyOutcome> copies, Lease fence, CancellationToken cancellationToken)
        {
            await gate.PassAsync(At.FollowUpSave, cancellationToken);
            if (Interlocked.Increment(ref saves) > 1)
            {
                await gate.PassAsync(At.LaterFollowUpSave, cancellationToken);
            }

            await inner.SaveAsync(outcomes, copies, fence, cancellationToken);
        }

        public Task<IReadOnlyList<DueFollowUp>> ClaimDueAsync(int max, TimeSpan claimFor, CancellationToken cancellationToken) => inner.ClaimDueAsync(max, claimFor, cancellationToken);

        public async Task<FollowUpWork?> GetPendingAsync(long batchId, CancellationToken cancellationToken)
        {
            var work = await inner.GetPendingAsync(batchId, cancellationToken);
            await gate.PassAsync(At.FollowUpPendingRead, cancellationToken);
            return work;
        }

        public Task<Overtaken> OvertakenAsync(IReadOnlyList<long> own, IReadOnlyList<Delivery> copied, CancellationToken cancellationToken) =>
            inner.OvertakenAsync(own, copied, cancellationToken);

        public Task ScheduleNextAsync(long batchId, DateTimeOffset nextLookAt, Lease fence, CancellationToken cancellationToken) =>
            inner.ScheduleNextAsync(batchId, nextLookAt, fence, cancellationToken);

        public Task PutBackAsync(long batchId, DateTimeOffset nextLookAt, Lease? fence, CancellationToken cancellationToken) =>
            inner.PutBackAsync(batchId, nextLookAt, fence, cancellationToken);

        public Task<int> RetryFailedAsync(long? batchId, CancellationToken cancellationToken) => inner.RetryFailedAsync(batchId, cancellationToken);

        public Task<IReadOnlySet<long>> SaveBillsAsync(IReadOnlyList<LateBillOutcome> bills, Lease fence, CancellationToken cancellationToken) =>
            inner.SaveBillsAsync(bills, fence, cancellationToken);
    }
}

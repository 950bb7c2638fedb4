using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Retries;

namespace BatchOrchestrator.Core.Batches;

/// <summary>The submit step's side of an operator's cancel that came before a remote batch was recorded.</summary>
internal sealed partial class BatchSubmitter
{
    /// <summary>
    /// With no create ever sent, the batch ends here. Once one may have been (the directory's snapshot is taken just
    /// before the first POST), the batch an earlier attempt created is looked for: found, it is recorded and cancelled
    /// at LlamaCloud; not found, the batch ends. Ending the row without looking would leave that batch to run and bill
    /// unseen, with its files' reservations released (docs/costs.md, "Settling"). The look counts against the step's
    /// attempts like any run of it (docs/architecture.md decision 15): a look that keeps failing ends the batch once they
    /// are used up, keeping the reservations, instead of coming back from Hangfire's retries forever.
    /// </summary>
    private async Task CancelUnrecordedAsync(BatchRecord batch, Leases.Lease fence, CancellationToken cancellationToken)
    {
        var window = await store.GetAdoptionWindowAsync(batch.Id, cancellationToken);
        RemoteBatchHandle? made = null;
        if (window.Preexisting is not null)
        {
            var attempt = await attempts.CountAsync(batch.Id, cancellationToken);
            try
            {
                made = await LookAsync(batch, window, cancellationToken);
            }
            catch (LlamaCloudTransientException ex) when (ex is { Deferred: true, RetryAfter: { } wait })
            {
                await attempts.RefundAsync(batch.Id, fence, cancellationToken);
                scheduler.ScheduleSubmit(batch.Id, wait); // the look waits as a create would, using up no retry
                logger.LogWarning("Batch {BatchId}, cancelled by an operator, looks for a batch an earlier attempt created in {Delay}: {Reason}", batch.Id, wait, ex.Message);
                return;
            }
            catch (LlamaCloudException ex) when (attempts.Exhausted(attempt))
            {
                var reason = $"it was cancelled by an operator, but the submit step failed {attempts.Max} times to check whether an earlier attempt created its batch ({ex.Message}); "
                    + $"look for a batch over directory {batch.DirectoryName} and cancel it there before retrying these files with --unconfirmed {batch.Id}";
                await attempts.GiveUpAsync(batch.Id, batch.Source, new BatchAbandonment(reason, FailureClass.Unconfirmed, BackToQueue: false, MayBeBilled: true), fence, cancellationToken);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await attempts.FailedAsync(batch.Id, ex);
                throw;
            }
        }

        if (made is not null)
        {
            logger.LogWarning("Batch {BatchId}, cancelled by an operator, was created remotely as {RemoteBatchId} by an earlier attempt; cancelling it there", batch.Id, made.Id);
            await RecordAsync(batch, made, fence, cancellationToken);
            return;
        }

        if (await WaitsForUnansweredCreateAsync(batch.Id, window, fence, cancellationToken))
        {
            return; // ended now, a batch that create still makes would run and bill unseen
        }

        await store.FinishCancelledAsync(batch.Id, fence, cancellationToken);
        logger.LogInformation("Batch {BatchId} was cancelled by an operator before it was submitted", batch.Id);
    }

    /// <summary>
    /// The operator's cancel came while the batch was being created (or before an earlier attempt's batch was found): it
    /// is sent now. The batch is recorded either way, so what it bills is read and counted; a cancel that fails, or is
    /// never sent (the step killed first), is sent again by the poller (<see cref="BatchPoller"/>).
    /// </summary>
    private async Task CancelCreatedAsync(BatchRecord batch, string remoteBatchId, CancellationToken cancellationToken)
    {
        try
        {
            await remote.CancelAsync(batch.Scope, batch.JobType, remoteBatchId, cancellationToken);
            await store.MarkCancelSentAsync(batch.Id, cancellationToken);
            await store.MakeDueNowAsync(remoteBatchId, cancellationToken); // the next tick records the cancellation
            logger.LogInformation("Batch {BatchId} was cancelled by an operator while it was being submitted; cancelled {RemoteBatchId} at LlamaCloud", batch.Id, remoteBatchId);
        }
        catch (LlamaCloudException ex)
        {
            logger.LogWarning(
                ex, "Batch {BatchId} was cancelled by an operator while it was being submitted, but cancelling {RemoteBatchId} at LlamaCloud failed; the poller sends it again while the batch runs",
                batch.Id, remoteBatchId);
        }
    }
}

using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Runs;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Uploads;

/// <summary>
/// The upload step's sending of a batch's files, up to <c>Pipeline:UploadConcurrency</c> at a time, each through
/// <see cref="FileSender"/>, and what their failures mean for the batch: a deferral stops the sending, a 404 may
/// mean the directory is gone, and files that fail transiently again while others got through end alone.
/// </summary>
internal sealed partial class BatchUploader
{
    /// <summary>
    /// Sends the files still owed; returns the 404 a call into the directory met, for the caller to check
    /// whether the directory is gone. Files recorded before it stay recorded.
    /// </summary>
    private async Task<ExceptionDispatchInfo?> SendFilesAsync(
        IBatchApi api, UploadWork work, string directoryId, string root, UploadLane lane, int attempt, Lease fence, CancellationToken cancellationToken)
    {
        var batchId = work.BatchId;
        var transientFailures = new ConcurrentQueue<(UploadItem File, string Reason)>();
        string? firstFailure = null;
        LlamaCloudTransientException? deferral = null;
        ExceptionDispatchInfo? notFound = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using (var recorder = new UploadRecorder(store, fence, time, stop, cancellationToken))
        {
            try
            {
                try
                {
                    await Parallel.ForEachAsync(
                        UploadIntents.RecordedAheadAsync(store, batchId, work.Files.Where(f => FileVersionLifecycle.Upload.CanStartFrom(f.State)), fence, cancellationToken),
                        new ParallelOptions { MaxDegreeOfParallelism = pipeline.Value.UploadConcurrency, CancellationToken = stop.Token },
                        async (file, ct) =>
                        {
                            try
                            {
                                await sender.SendAsync(api, root, directoryId, lane, file, recorder, ct);
                            }
                            catch (LlamaCloudTransientException ex) when (ex.Deferred)
                            {
                                // The project must wait longer than we sleep here: stop sending, come back later.
                                Interlocked.CompareExchange(ref deferral, ex, null);
                                await stop.CancelAsync();
                            }
                            catch (LlamaCloudTransientException ex)
                            {
                                transientFailures.Enqueue((file, ex.Message));
                                Interlocked.CompareExchange(ref firstFailure, ex.Message, null);
                                logger.LogWarning("Upload of {Path} did not complete: {Reason}", file.RelativePath, ex.Message);
                            }
                        });
                }
                catch (OperationCanceledException ex) when (ex is not LeaseLostException && (deferral is not null || recorder.Refused) && !cancellationToken.IsCancellationRequested)
                {
                    // Uploads cut short are ambiguous, as after a crash: their intent is recorded, so the next
                    // attempt looks them up by unique_id before sending them again. Refused, completing throws why.
                    // A lost lease is no deferral even if one came too: the step stops, refunds and schedules nothing.
                }
                catch (LlamaCloudRejectedException ex) when (ex.IsNotFound)
                {
                    // Every call here names the directory: a 404 most likely means it is gone. What was sent before
                    // is written first, so that forgetting the directory forgets those copies too.
                    notFound = ExceptionDispatchInfo.Capture(ex);
                }

                await recorder.CompleteAsync();
                var othersSent = recorder.Added > 0 || work.Files.Any(f => f.State == FileVersionState.Uploaded);
                if (!transientFailures.IsEmpty && notFound is null && deferral is null && FileSender.EndsAlone(attempt, attempts.Max, othersSent))
                {
                    // One file that fails every run must not hold back the batch's others (docs/resilience.md, "Bulkheads per file"),
                    // nor wait for the schedule's next run (a day away, nightly) to go again.
                    var maxAttempts = (sources.CurrentValue.Find(work.Source) ?? new SourceOptions()).MaxAttempts;
                    var sentBack = await sender.EndAloneAsync(api, directoryId, transientFailures, attempt, maxAttempts, fence, cancellationToken);
                    retryRuns.Follow(work.Source, batchId, sentBack, $"their upload failed in run {attempt} of the upload step; the first: {firstFailure}");
                    transientFailures.Clear();
                }
            }
            finally
            {
                // Also when the step fails after a skip (the lease lost, the database gone, a refusal): a skip is committed
                // as it happens, and the step's next run has no skip left to ask for this look.
                AskForTheSkippedLook(work.Source, recorder.Skipped);
            }
        }

        if (notFound is not null)
        {
            return notFound;
        }

        if (deferral is not null)
        {
            ExceptionDispatchInfo.Throw(deferral);
        }

        if (!transientFailures.IsEmpty)
        {
            // The job's retry finishes the rest; files already recorded are not sent again.
            throw new LlamaCloudTransientException($"{transientFailures.Count} uploads of batch {batchId} failed transiently; the first: {firstFailure}", null);
        }

        return null;
    }

    /// <summary>
    /// The events that moved or changed the files this step skipped started their run before the skip (docs/sources.md,
    /// "What a scan takes"): a scan is asked for to take their content, under a copy's name or as a new version. Never
    /// thrown from: it may run while the step fails for another reason, which it must not hide.
    /// </summary>
    private void AskForTheSkippedLook(string sourceName, int skipped)
    {
        if (skipped == 0 || sources.CurrentValue.Find(sourceName) is not { } source)
        {
            return;
        }

        try
        {
            scheduler.ScheduleRun(sourceName, RunTrigger.Settle, source.SettleWindow);
        }
        catch (Exception ex)
        {
            logger.LogWarning(
                ex, "The look at {Count} files of {Source} skipped at upload could not be asked for; the source's next run takes them", skipped, sourceName);
        }
    }
}

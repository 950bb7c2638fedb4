using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Pipeline;
using BatchOrchestrator.Core.Sources;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Core.Uploads;

/// <summary>
/// The upload step: ensure the batch's remote directory, upload each file version once under its
/// deterministic <c>unique_id</c>, then hand the batch to submission. Safe to run twice: a file
/// whose upload may have happened is looked up by <c>unique_id</c> before it is sent again.
/// </summary>
internal sealed class BatchUploader(
    IUploadStore store,
    IBatchApis apis,
    IOptionsMonitor<SourcesOptions> sources,
    IOptions<PipelineOptions> pipeline,
    IBatchStore batches,
    IPipelineScheduler scheduler,
    LeaseManager leases,
    ILogger<BatchUploader> logger)
{
    // Files whose intent is recorded in one statement before any of them is sent.
    private const int IntentChunk = 256;

    public async Task UploadAsync(long batchId, CancellationToken cancellationToken)
    {
        var work = await store.GetWorkAsync(batchId, cancellationToken);
        if (work is null || BatchLifecycle.OwedStep(work.State) != BatchStep.Upload)
        {
            return; // already past this step
        }

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["Source"] = work.Source, ["BatchId"] = batchId });
        BatchState? state;
        await using (var lease = await leases.TryHoldAsync(BatchLease.Name(batchId), cancellationToken))
        {
            if (lease is null)
            {
                // Its holder is at work, or gone without releasing it (a database outage): look again once
                // the lease would have expired. Not a failure, and no retry of this job is used up.
                scheduler.ScheduleUpload(work.Source, batchId, leases.TimeToLive);
                logger.LogInformation("Batch {BatchId} is held by another worker; its upload step looks again in {Delay}", batchId, leases.TimeToLive);
                return;
            }

            try
            {
                state = await UploadUnderLeaseAsync(work, batchId, lease.Token);
            }
            catch (LlamaCloudTransientException ex) when (ex is { Deferred: true, RetryAfter: { } wait })
            {
                // LlamaCloud asked the project to wait longer than we sleep in-process: come back after
                // it, without using up one of the job's retries. Files sent so far are recorded.
                scheduler.ScheduleUpload(work.Source, batchId, wait);
                logger.LogWarning("Uploads of batch {BatchId} wait {Delay} on LlamaCloud's request: {Reason}", batchId, wait, ex.Message);
                return;
            }
        }

        // Handed on once the lease is released, so that the submit step finds the batch free.
        if (state is { } uploaded && BatchLifecycle.OwedStep(uploaded) == BatchStep.Submit)
        {
            scheduler.EnqueueSubmit(batchId);
        }
    }

    private async Task<BatchState?> UploadUnderLeaseAsync(UploadWork work, long batchId, CancellationToken cancellationToken)
    {
        if (work.CancelRequested)
        {
            await FinishCancelledAsync(batchId, cancellationToken);
            return null;
        }

        var source = sources.CurrentValue.Find(work.Source)
            ?? throw new InvalidOperationException($"Batch {batchId} belongs to source '{work.Source}', which is no longer configured");
        var api = apis.For(work.Scope);
        var directoryId = work.RemoteDirectoryId ?? await EnsureDirectoryAsync(api, work, cancellationToken);
        var root = Path.GetFullPath(source.Path);

        var transientFailures = 0;
        LlamaCloudTransientException? deferral = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using (var recorder = new UploadRecorder(store, cancellationToken))
        {
            try
            {
                await Parallel.ForEachAsync(
                    WithIntentRecordedAsync(batchId, work.Files.Where(f => FileVersionLifecycle.Upload.CanStartFrom(f.State)), cancellationToken),
                    new ParallelOptions { MaxDegreeOfParallelism = pipeline.Value.UploadConcurrency, CancellationToken = stop.Token },
                    async (file, ct) =>
                    {
                        try
                        {
                            await UploadOneAsync(api, root, directoryId, source.Name, file, recorder, ct);
                        }
                        catch (LlamaCloudTransientException ex) when (ex.Deferred)
                        {
                            // The project must wait longer than we sleep here: stop sending, come back later.
                            Interlocked.CompareExchange(ref deferral, ex, null);
                            await stop.CancelAsync();
                        }
                        catch (LlamaCloudTransientException ex)
                        {
                            Interlocked.Increment(ref transientFailures);
                            logger.LogWarning("Upload of {Path} did not complete: {Reason}", file.RelativePath, ex.Message);
                        }
                    });
            }
            catch (OperationCanceledException) when (deferral is not null && !cancellationToken.IsCancellationRequested)
            {
                // Uploads cut short are ambiguous, as after a crash: their intent is recorded, so the next
                // attempt looks them up by unique_id before sending them again.
            }

            await recorder.CompleteAsync();
        }

        if (deferral is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(deferral);
        }

        if (transientFailures > 0)
        {
            // The job's retry finishes the rest; files already recorded are not sent again.
            throw new LlamaCloudTransientException($"{transientFailures} uploads of batch {batchId} failed transiently", null);
        }

        if (work.Layout == RemoteLayout.Mirror)
        {
            await PropagateDeletionsAsync(api, batchId, directoryId, cancellationToken);
        }

        var state = await store.FinishUploadsAsync(batchId, cancellationToken);
        if (BatchLifecycle.OwedStep(state) == BatchStep.Upload)
        {
            await FinishCancelledAsync(batchId, cancellationToken); // an operator cancelled it while we uploaded
            return null;
        }

        logger.LogInformation("Uploads of batch {BatchId} finished; batch is {State}", batchId, state);
        return state;
    }

    /// <summary>
    /// Hands out the files a chunk at a time, recording the chunk's intent (one row: "files up to this id
    /// may be sent") before its first file goes out; a rerun looks those up by unique_id before sending
    /// them again. Uploads of the previous chunk carry on meanwhile: no barrier between chunks.
    /// </summary>
    private async IAsyncEnumerable<UploadItem> WithIntentRecordedAsync(
        long batchId, IEnumerable<UploadItem> files, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var chunk in files.Chunk(IntentChunk))
        {
            await store.MarkUploadIntentAsync(batchId, chunk.Max(f => f.FileVersionId), cancellationToken);
            foreach (var file in chunk)
            {
                yield return file;
            }
        }
    }

    private async Task FinishCancelledAsync(long batchId, CancellationToken cancellationToken)
    {
        await batches.FinishCancelledAsync(batchId, cancellationToken);
        logger.LogInformation("Batch {BatchId} was cancelled by an operator before it was submitted", batchId);
    }

    private async Task<string> EnsureDirectoryAsync(IBatchApi api, UploadWork work, CancellationToken cancellationToken)
    {
        // Names are unique per project, so an earlier attempt's directory is found by name, not made twice.
        var directory = await api.FindDirectoryByNameAsync(work.DirectoryName, cancellationToken);
        if (directory is null)
        {
            try
            {
                // A mirror's directory lives as long as the source; a run's own expires with its batch.
                directory = await api.CreateDirectoryAsync(work.DirectoryName, ephemeral: work.Layout != RemoteLayout.Mirror, cancellationToken);
            }
            catch (LlamaCloudRejectedException ex) when (ex.IsRefusal)
            {
                // Another attempt created it between our look and our create. Which code a duplicate name
                // gets is not documented (400, 409 or 422, docs/llamacloud-api.md §11.2): whatever the code,
                // the directory found by its name is ours; none found means the refusal was about something else.
                directory = await api.FindDirectoryByNameAsync(work.DirectoryName, cancellationToken);
                if (directory is null)
                {
                    throw;
                }
            }
        }

        await store.SetRemoteDirectoryAsync(work.BatchId, directory.Id, cancellationToken);
        return directory.Id;
    }

    private async Task UploadOneAsync(
        IBatchApi api, string root, string directoryId, string sourceName, UploadItem file, UploadRecorder recorder, CancellationToken cancellationToken)
    {
        var fullPath = Path.Combine(root, file.RelativePath);
        var observed = new FileObservation(file.RelativePath, file.Size, file.MtimeTicks);
        var before = FileStamp.Read(fullPath);
        if (!before.Matches(observed))
        {
            // The second check of "unchanged across two looks": never upload what is being written now.
            var reason = before.Exists
                ? "changed after it was scanned (still being written?); the next scan takes its new version"
                : "deleted or renamed after it was scanned";
            await store.MarkNotUploadedAsync(file.FileVersionId, FileVersionState.Skipped, reason, cancellationToken);
            return;
        }

        if (file.UploadStarted && await api.FindFileByUniqueIdAsync(directoryId, file.UniqueId, cancellationToken) is { } existing)
        {
            logger.LogInformation("{Path} was uploaded by an earlier attempt as {RemoteFileId}; recorded, not uploaded again", file.RelativePath, existing.Id);
            recorder.Add(file.FileVersionId, existing);
            return;
        }

        RemoteDirectoryFile remote;
        try
        {
            // No FileStream buffer: StreamContent copies through its own, and a per-file 80 KB buffer is garbage at a thousand uploads a second.
            await using var content = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.SequentialScan);
            var metadata = new Dictionary<string, string> { ["source"] = sourceName, ["path"] = file.RelativePath };
            remote = await api.UploadFileAsync(directoryId, new FileUpload(content, Path.GetFileName(file.RelativePath), file.UniqueId, file.RelativePath, metadata), cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await store.MarkNotUploadedAsync(file.FileVersionId, FileVersionState.Failed, $"unreadable: {ex.Message}", cancellationToken);
            return;
        }
        catch (LlamaCloudRejectedException ex) when (ex.ErrorClass == ApiErrorClass.Rejected)
        {
            await store.MarkNotUploadedAsync(file.FileVersionId, FileVersionState.Failed, $"refused by LlamaCloud: {ex.Detail ?? ex.Message}", cancellationToken);
            return;
        }

        if (!FileStamp.Read(fullPath).Matches(observed))
        {
            // Written to while we read it: what was sent may be half old, half new. Take it back; the
            // next scan takes the new version once it has settled.
            await api.DeleteDirectoryFileAsync(directoryId, remote.Id, cancellationToken);
            await store.MarkNotUploadedAsync(file.FileVersionId, FileVersionState.Skipped, "changed while it was being uploaded; removed again, the next scan takes its new version", cancellationToken);
            return;
        }

        recorder.Add(file.FileVersionId, remote);
    }

    /// <summary>
    /// A mirror drops the remote copies of files deleted or replaced locally, so the next batch over
    /// the directory sees the folder as it is. Deleting twice is harmless (a missing file counts as deleted).
    /// </summary>
    private async Task PropagateDeletionsAsync(IBatchApi api, long batchId, string directoryId, CancellationToken cancellationToken)
    {
        var removals = await store.GetMirrorRemovalsAsync(batchId, directoryId, cancellationToken);
        foreach (var removal in removals)
        {
            await api.DeleteDirectoryFileAsync(directoryId, removal.RemoteFileId, cancellationToken);
            await store.MarkRemoteDeletedAsync(removal.FileVersionId, cancellationToken);
        }

        if (removals.Count > 0)
        {
            logger.LogInformation("Mirror {DirectoryId}: removed {Count} files deleted or replaced locally", directoryId, removals.Count);
        }
    }
}

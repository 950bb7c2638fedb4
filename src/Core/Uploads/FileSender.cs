using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Retries;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Uploads;

/// <summary>
/// One file of a batch: checked unchanged, looked up if an earlier attempt may have sent it, sent, checked
/// again. The bulkhead of docs/architecture.md decision 15: a failure that belongs to this file (its name,
/// its content, its disappearance, a read error, LlamaCloud refusing this upload) ends this file alone, with
/// a class and a reason, and the batch goes on. What escapes belongs to the batch or the project: a
/// transient API failure, a pause, a refused key, the database.
/// </summary>
internal sealed class FileSender(IUploadStore store, ILogger<FileSender> logger)
{
    private const string Vanished = "deleted or renamed after it was scanned";
    private const string ChangedWhileSent = "changed while it was being uploaded; removed again, the next scan takes its new version";

    public async Task SendAsync(
        IBatchApi api, string root, string directoryId, UploadLane lane, UploadItem file, UploadRecorder recorder, CancellationToken cancellationToken)
    {
        var fullPath = Path.Combine(root, file.RelativePath);
        var observed = new FileObservation(file.RelativePath, file.Size, file.MtimeTicks);
        var before = FileStamp.Read(fullPath);
        if (!before.Matches(observed))
        {
            // The second check of "unchanged across two looks": never upload what is being written now.
            var reason = before.Exists ? "changed after it was scanned (still being written, or replaced); the next scan takes its new version" : Vanished;
            if (file.UploadStarted)
            {
                // An earlier attempt sent it and lost the answer (docs/sources.md, "Exactly-once uploads"), with no check
                // after it. Left in the directory, that copy would be parsed and billed with the batch while its version
                // ends Skipped, and the next scan sends the content again.
                await TakeBackAsync(api, directoryId, file, recorder.Fence, cancellationToken);
            }

            await EndAsync(recorder, file, FileVersionState.Skipped, null, reason, cancellationToken);
            return;
        }

        var name = Path.GetFileName(file.RelativePath);
        if (!UploadFileName.CanCarry(name, out var cannot))
        {
            await EndAsync(recorder, file, FileVersionState.Failed, FailureClass.Permanent, cannot, cancellationToken);
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
            var metadata = new Dictionary<string, string> { ["source"] = lane.Name, ["path"] = file.RelativePath };
            remote = await api.UploadFileAsync(directoryId, new FileUpload(content, name, file.UniqueId, file.RelativePath, metadata, lane), cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            await EndAsync(recorder, file, FileVersionState.Skipped, null, Vanished, cancellationToken);
            return;
        }
        catch (UnauthorizedAccessException ex)
        {
            await EndAsync(recorder, file, FileVersionState.Failed, FailureClass.Permanent, $"cannot be read ({ex.Message}); give the service read access, then retry it with --permanent", cancellationToken);
            return;
        }
        catch (IOException ex)
        {
            // A read error may pass (a network share, a disk hiccup): a later run tries again, within MaxAttempts.
            await EndAsync(recorder, file, FileVersionState.Failed, FailureClass.Transient, $"read error while sending it: {ex.Message}", cancellationToken);
            return;
        }
        catch (LlamaCloudRejectedException ex) when (ex.ErrorClass == ApiErrorClass.Rejected && !ex.IsNotFound)
        {
            // A 404 is not this file's: the request names only the directory, and the batch decides what its loss means.
            // LlamaCloud may refuse a second upload under a unique_id its directory holds (docs/llamacloud-api.md §4.2): the copy
            // there is this very content (the unique_id names the version and its hash), sent by a batch that ended without it.
            if (await HeldUnderItsUniqueIdAsync(api, directoryId, file, cancellationToken) is { } held)
            {
                logger.LogInformation(
                    "{Path}: LlamaCloud refused it under its unique_id (HTTP {Status}), which copy {RemoteFileId} in the directory already has; that copy is taken",
                    file.RelativePath, (int?)ex.StatusCode, held.Id);
                recorder.Add(file.FileVersionId, held);
                return;
            }

            await EndAsync(recorder, file, FileVersionState.Failed, FailureClass.Permanent, $"LlamaCloud refused this upload: {ex.Detail ?? ex.Message}", cancellationToken);
            return;
        }
        catch (LlamaCloudTransientException) when (!FileStamp.Read(fullPath).Matches(observed))
        {
            // Written to while it was sent: the body outgrew the length the request announced and the send broke off,
            // so this is the file's doing, not the API's. Whatever arrived is taken back, as below.
            await TakeBackAsync(api, directoryId, file, recorder.Fence, cancellationToken);
            await EndAsync(recorder, file, FileVersionState.Skipped, null, ChangedWhileSent, cancellationToken);
            return;
        }
        catch (Exception ex) when (ex is not (LlamaCloudException or OperationCanceledException or OutOfMemoryException))
        {
            // Anything else thrown while building or sending this one request (a header the stack will not
            // write, a stream that cannot be rewound for a retry) is about this file, not about the batch.
            logger.LogWarning(ex, "Upload of {Path} failed on its own", file.RelativePath);
            await EndAsync(recorder, file, FileVersionState.Failed, FailureClass.Permanent, $"could not be sent ({ex.GetType().Name}: {ex.Message})", cancellationToken);
            return;
        }

        if (!FileStamp.Read(fullPath).Matches(observed))
        {
            // Written to while we read it: what was sent may be half old, half new. Take it back; the
            // next scan takes the new version once it has settled. Only while the lease is still ours: a holder that
            // took it over while this one was stalled may have found this very copy by unique_id and recorded it.
            await store.HoldLeaseAsync(recorder.Fence, cancellationToken);
            await api.DeleteDirectoryFileAsync(directoryId, remote.Id, cancellationToken);
            await EndAsync(recorder, file, FileVersionState.Skipped, null, ChangedWhileSent, cancellationToken);
            return;
        }

        recorder.Add(file.FileVersionId, remote);
    }

    /// <summary>The run of the upload step from which a file that fails again, while others got through, ends alone.</summary>
    public const int EndsAloneFrom = 3;

    /// <summary>
    /// Whether the files whose upload failed transiently in run <paramref name="attempt"/> of the upload step end alone
    /// (<see cref="EndAloneAsync"/>) rather than fail the step: from its <see cref="EndsAloneFrom"/>th run (its last, if fewer
    /// are allowed), when <paramref name="othersSent"/>. One file LlamaCloud answers with a 5xx every time, or too large to
    /// send within <c>LlamaCloud:AttemptTimeout</c>, failed every run of the step until its attempts were used up and the
    /// batch was given up: none of its files was ever submitted, and after MaxAttempts batches so every one of them failed.
    /// A failure that meets every file (an outage the circuit breaker did not pause) still fails the step, as before.
    /// </summary>
    public static bool EndsAlone(int attempt, int maxStepAttempts, bool othersSent) =>
        othersSent && attempt >= Math.Min(EndsAloneFrom, maxStepAttempts);

    /// <summary>
    /// Ends the files whose upload failed transiently once more while the batch's other files got through (docs/resilience.md,
    /// "Bulkheads per file"): the batch goes on without them, and the retry rule sends them in a later batch. Whatever arrived of
    /// each is taken back first: left in the directory, it would be parsed and billed with this batch and again with that one.
    /// Returns how many may go again within <paramref name="maxAttempts"/> and how many have used their attempts up.
    /// </summary>
    public async Task<SentBack> EndAloneAsync(
        IBatchApi api, string directoryId, IEnumerable<(UploadItem File, string Failure)> failed, int attempt, int maxAttempts, Leases.Lease fence, CancellationToken cancellationToken)
    {
        var (queued, usedUp) = (0, 0);
        foreach (var (file, failure) in failed)
        {
            await TakeBackAsync(api, directoryId, file, fence, cancellationToken);
            var reason = $"its upload failed in run {attempt} of the upload step while the batch's other files were sent ({failure}); "
                + "the batch went on without it, and a later run sends it again while its attempts allow";
            await EndAsync(null, fence, file, FileVersionState.Failed, FailureClass.Transient, reason, cancellationToken);
            if (file.ProcessAttempts + 1 < maxAttempts) // the end above counted one attempt more
            {
                queued++;
            }
            else
            {
                usedUp++;
            }
        }

        return new SentBack(queued, usedUp);
    }

    /// <summary>
    /// Deletes the file's copy in the directory, if one arrived, found by its unique_id; only while <paramref name="fence"/> holds
    /// (docs/reliability.md, "Fencing"): a holder that took the lease over while this one was stalled may have sent and recorded
    /// that copy, and the fenced write that follows the take-back would be refused only after it was gone.
    /// </summary>
    private async Task TakeBackAsync(IBatchApi api, string directoryId, UploadItem file, Leases.Lease fence, CancellationToken cancellationToken)
    {
        await store.HoldLeaseAsync(fence, cancellationToken);
        if (await api.FindFileByUniqueIdAsync(directoryId, file.UniqueId, cancellationToken) is { } sent)
        {
            await api.DeleteDirectoryFileAsync(directoryId, sent.Id, cancellationToken);
        }
    }

    /// <summary>The copy the directory holds under the file's unique_id; null when none, or when LlamaCloud cannot say (the refusal then stands).</summary>
    private static async Task<RemoteDirectoryFile?> HeldUnderItsUniqueIdAsync(IBatchApi api, string directoryId, UploadItem file, CancellationToken cancellationToken)
    {
        try
        {
            return await api.FindFileByUniqueIdAsync(directoryId, file.UniqueId, cancellationToken);
        }
        catch (LlamaCloudException)
        {
            return null;
        }
    }

    private Task EndAsync(UploadRecorder recorder, UploadItem file, FileVersionState outcome, FailureClass? errorClass, string reason, CancellationToken cancellationToken) =>
        EndAsync(recorder, recorder.Fence, file, outcome, errorClass, reason, cancellationToken);

    private async Task EndAsync(
        UploadRecorder? recorder, Leases.Lease fence, UploadItem file, FileVersionState outcome, FailureClass? errorClass, string reason, CancellationToken cancellationToken)
    {
        if (outcome == FileVersionState.Skipped)
        {
            recorder?.Skip();
        }

        logger.LogWarning("{Path} ends {Outcome}: {Reason}", file.RelativePath, outcome, reason);
        await store.MarkNotUploadedAsync(file.FileVersionId, outcome, errorClass, reason, fence, cancellationToken);
    }
}

using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Uploads;

/// <summary>
/// The remote directory a batch uploads into: found by its name or created, and made again when LlamaCloud
/// no longer has it before the batch is submitted. A per-run directory is ephemeral and expires
/// (docs/llamacloud-api.md §4.1), an operator may delete any directory, and the in-process Sandbox forgets
/// them all when it restarts. A mirror's directory is also kept equal to the folder here (<see cref="PropagateDeletionsAsync"/>).
/// </summary>
internal sealed class BatchDirectory(IUploadStore store, ILogger<BatchDirectory> logger)
{
    public async Task<string> EnsureAsync(IBatchApi api, UploadWork work, Lease fence, CancellationToken cancellationToken)
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

        await store.SetRemoteDirectoryAsync(work.BatchId, directory.Id, fence, cancellationToken);
        return directory.Id;
    }

    /// <summary>
    /// Whether LlamaCloud no longer has the directory. A 404 from a call into it most likely means so, but
    /// forgetting every upload of a batch is worth one more request to be sure.
    /// </summary>
    public static async Task<bool> IsGoneAsync(IBatchApi api, string directoryId, CancellationToken cancellationToken)
    {
        try
        {
            await api.GetDirectoryAsync(directoryId, cancellationToken);
            return false;
        }
        catch (LlamaCloudRejectedException ex) when (ex.IsNotFound)
        {
            return true;
        }
    }

    /// <summary>
    /// The batch's directory is gone: its copies went with it, and the batch create names the directory, so
    /// every file of the batch must be in the new one. The directory and the files' remote ids are forgotten
    /// first, in one statement, so that no file is looked up in the new directory as if sent there already,
    /// and a crash in between finds the batch as on its first attempt. A mirror's copies from before the batch, which its
    /// planning reserved, join it in that statement, so uploading the batch again rebuilds the whole mirror.
    /// </summary>
    public async Task<UploadWork> ReplaceAsync(IBatchApi api, UploadWork work, string goneId, Lease fence, CancellationToken cancellationToken)
    {
        var forgotten = await store.ForgetRemoteDirectoryAsync(work.BatchId, goneId, fence, cancellationToken);
        var fresh = await store.GetWorkAsync(work.BatchId, cancellationToken)
            ?? throw new InvalidOperationException($"Batch {work.BatchId} disappeared while its directory was replaced");
        var directoryId = await EnsureAsync(api, fresh, fence, cancellationToken);
        if (directoryId == goneId)
        {
            // Its name still finds the directory its id no longer reaches: try again later rather than loop.
            throw new LlamaCloudTransientException($"directory {goneId} of batch {work.BatchId} answers 404 by its id but is still listed by its name '{work.DirectoryName}'", null);
        }

        if (work.Layout == RemoteLayout.Mirror)
        {
            logger.LogWarning(
                "The mirror directory {DirectoryId} of source {Source} is gone from LlamaCloud (deleted, or a Sandbox without saved state restarted); "
                + "batch {BatchId} uploads the whole mirror again into new directory {NewDirectoryId} ({FileCount} files had been uploaded into the old one). "
                + "Find out what deleted it: the mirror's directory is meant to live as long as the source",
                goneId, work.Source, work.BatchId, directoryId, forgotten);
        }
        else
        {
            logger.LogWarning(
                "Directory {DirectoryId} of batch {BatchId} is gone from LlamaCloud before the batch was submitted (it expired or was deleted, or a Sandbox without saved state restarted); "
                + "its {FileCount} files uploaded there are uploaded again into new directory {NewDirectoryId}. "
                + "If this recurs, find what deletes the service's directories, or why batches wait longer than LlamaCloud keeps an ephemeral directory",
                goneId, work.BatchId, forgotten, directoryId);
        }

        return fresh with { RemoteDirectoryId = directoryId };
    }

    /// <summary>
    /// A mirror drops the remote copies of files deleted or replaced locally, so the next batch over
    /// the directory sees the folder as it is, and the stored file behind each (when its upload answer named it),
    /// which nothing refers to any more and would otherwise be kept, and billed as storage, for good.
    /// Deleting twice is harmless (a missing file counts as deleted). The copies no version holds are dropped by the submit
    /// step, before the create that would parse them (<see cref="StrayCopies"/>).
    /// </summary>
    public async Task PropagateDeletionsAsync(IBatchApi api, UploadWork work, string directoryId, Lease fence, CancellationToken cancellationToken)
    {
        var removals = await store.GetMirrorRemovalsAsync(work.BatchId, directoryId, cancellationToken);
        foreach (var removal in removals)
        {
            await api.DeleteDirectoryFileAsync(directoryId, removal.RemoteFileId, cancellationToken);
            if (removal.StoredFileId is { } stored)
            {
                await api.DeleteStoredFileAsync(stored, cancellationToken);
            }

            await store.MarkRemoteDeletedAsync(removal.FileVersionId, cancellationToken);
        }

        if (removals.Count > 0)
        {
            logger.LogInformation("Mirror {DirectoryId}: removed {Count} files deleted or replaced locally", directoryId, removals.Count);
        }
    }
}

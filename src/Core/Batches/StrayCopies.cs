using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Core.Batches;

/// <summary>
/// A copy in a directory of ours that no version holds is parsed and billed by the next batch over the directory, its
/// result matching no file, and in a mirror by every later batch, with nothing to ever remove it. Two ways leave one:
/// a batch that ends without its files (LlamaCloud lost it, its submit step gave up, an operator sent its files back)
/// puts them back in the queue as never sent, while their copies stay in the long-lived mirror directory (a file edited
/// meanwhile is sent as its new version and its old copy is no one's; one not edited is sent again, and whether
/// LlamaCloud then replaces the copy of the same unique_id is not documented, docs/llamacloud-api.md §4.2); and an
/// upload whose answer never came (a timeout, a gateway's 5xx) whose file was taken back while LlamaCloud had not yet
/// stored it, and stored it later: its version is sent again in a later batch, and billed there too. So before a batch
/// over a directory of ours is created the directory is listed, and what is in it but in
/// no version's record is removed. Listed before the records are read: a copy recorded meanwhile counts as held. Only
/// while this step still holds the batch's lease: a holder that took it over may be uploading copies it has not recorded yet.
/// </summary>
internal sealed class StrayCopies(IDirectoryCopyStore store, IBatchApis apis, ILogger<StrayCopies> logger)
{
    /// <summary>
    /// Before a batch is created over its directory: the create parses whatever the directory holds. Not a RemoteOnly
    /// source's (the directory is the user's, every copy in it meant), nor a v1 job that names its files (<paramref name="namesItems"/>).
    /// </summary>
    public async Task RemoveBeforeCreateAsync(BatchRecord batch, bool namesItems, Lease fence, CancellationToken cancellationToken)
    {
        if (batch.Layout != RemoteLayout.RemoteOnly && !namesItems)
        {
            await RemoveAsync(apis.For(batch.Scope), batch.Source, batch.RemoteDirectoryId!, fence, cancellationToken);
        }
    }

    private async Task RemoveAsync(IBatchApi api, string source, string directoryId, Lease fence, CancellationToken cancellationToken)
    {
        IReadOnlyList<RemoteDirectoryFile> listed;
        try
        {
            listed = await api.ListDirectoryFilesAsync(directoryId, cancellationToken);
        }
        catch (LlamaCloudRejectedException ex) when (ex.IsNotFound)
        {
            // The directory is gone, and no stray with it. A batch that sent nothing into it saw no 404 yet: the submit step
            // meets it, and sends the files back to the queue (BatchSubmitter, a directory gone); one with no file submits nothing.
            return;
        }

        var held = await store.GetHeldCopiesAsync(source, directoryId, cancellationToken);
        var strays = listed.Where(f => !held.DirectoryFileIds.Contains(f.Id)).ToList();
        if (strays.Count == 0)
        {
            return;
        }

        // A stored file a held copy stands on stays, whether or not its version recorded it (an answer that named none).
        var storedHeld = listed.Where(f => held.DirectoryFileIds.Contains(f.Id) && f.FileId is not null).Select(f => f.FileId!).Concat(held.StoredFileIds).ToHashSet(StringComparer.Ordinal);
        await store.HoldLeaseAsync(fence, cancellationToken);
        var removed = new List<string>();
        foreach (var stray in strays)
        {
            if (!await TryAsync(() => api.DeleteDirectoryFileAsync(directoryId, stray.Id, cancellationToken), directoryId, source, $"{stray.DisplayName} ({stray.Id}), a copy no file version holds", "the batch over the directory parses and bills it"))
            {
                continue;
            }

            removed.Add(stray.DisplayName);
            if (stray.FileId is { } stored && !storedHeld.Contains(stored))
            {
                await TryAsync(() => api.DeleteStoredFileAsync(stored, cancellationToken), directoryId, source, $"stored file {stored} behind {stray.DisplayName}", "it stays stored, and billed as storage");
            }
        }

        if (removed.Count > 0)
        {
            logger.LogWarning(
                "Directory {DirectoryId} of source {Source}: removed the copies no file version holds ({Count}: {Names}), which the batch over the directory would have parsed and billed; "
                + "they are left by batches that ended without their files (lost by LlamaCloud, given up, or sent back by an operator), by uploads LlamaCloud stored after "
                + "their answer was lost and their file was taken back, or were put there by hand",
                directoryId, source, removed.Count, string.Join(", ", removed.Take(5)) + (removed.Count > 5 ? ", …" : ""));
        }
    }

    /// <summary>
    /// A delete refused is no reason to give the batch up (the submit step would read the refusal as its create's): the copy
    /// stays, as it was before this look, said in a Warning; the next batch over the directory tries again.
    /// </summary>
    private async Task<bool> TryAsync(Func<Task<bool>> delete, string directoryId, string source, string what, string consequence)
    {
        try
        {
            await delete();
            return true;
        }
        catch (LlamaCloudRejectedException ex) when (ex.ErrorClass == ApiErrorClass.Rejected)
        {
            logger.LogWarning(
                "Directory {DirectoryId} of source {Source}: LlamaCloud refused to remove {What}: {Reason}; {Consequence}. Remove it by hand if it recurs",
                directoryId, source, what, ex.Detail ?? ex.Message, consequence);
            return false;
        }
    }
}

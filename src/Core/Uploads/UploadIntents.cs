namespace BatchOrchestrator.Core.Uploads;

/// <summary>
/// The upload step's intent: before a chunk of a batch's files is handed out, the batch records that its files up
/// to the chunk's last may have been sent, so a rerun looks those up by unique_id instead of sending them blindly.
/// </summary>
internal static class UploadIntents
{
    // Files whose intent is recorded in one statement before any of them is sent.
    private const int Chunk = 256;

    /// <summary>
    /// Hands out the files a chunk at a time, recording the chunk's intent (one row: "files up to this id
    /// may be sent") before its first file goes out; a rerun looks those up by unique_id before sending
    /// them again. The next chunk's intent is written while this chunk's files go out: written in turn, every
    /// upload worker would stand waiting on the enumerator for that round trip. An intent a chunk ahead costs
    /// a rerun at most one chunk more of look-ups. Fenced: a holder stalled past its lease is refused the intent
    /// and sends nothing of that chunk.
    /// </summary>
    public static async IAsyncEnumerable<UploadItem> RecordedAheadAsync(
        IUploadStore store, long batchId, IEnumerable<UploadItem> files, Leases.Lease fence, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var chunks = files.Chunk(Chunk).GetEnumerator();
        if (!chunks.MoveNext())
        {
            yield break;
        }

        var chunk = chunks.Current;
        var intent = store.MarkUploadIntentAsync(batchId, chunk.Max(f => f.FileVersionId), fence, cancellationToken);
        try
        {
            while (true)
            {
                await intent;
                var next = chunks.MoveNext() ? chunks.Current : null;
                if (next is not null)
                {
                    intent = store.MarkUploadIntentAsync(batchId, next.Max(f => f.FileVersionId), fence, cancellationToken);
                }

                foreach (var file in chunk)
                {
                    yield return file;
                }

                if (next is null)
                {
                    yield break;
                }

                chunk = next;
            }
        }
        finally
        {
            // Stopped early (a deferral, a cancellation): the write under way is not left running unobserved.
            await intent.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}

using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace BatchOrchestrator.Core.Sources;

/// <summary>
/// A walk run on its own thread and handed over in chunks, so that the file-system calls overlap with the
/// reader's work (the stored looks streaming out of PostgreSQL and the merge). Both the scan and the plan
/// use it: the plan walks the same folder against the same stored looks, and should cost what the scan's
/// comparison costs (docs/performance.md, "An unchanged re-scan").
/// </summary>
internal static class BackgroundWalk
{
    private const int ChunkSize = 512;

    /// <summary>The walk's items in walk order, a chunk at a time; an error of the walk (a missing root, say) surfaces here.</summary>
    public static async IAsyncEnumerable<WalkItem[]> ChunksAsync(SourceWalker walker, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var walked = Channel.CreateBounded<WalkItem[]>(new BoundedChannelOptions(16) { SingleReader = true, SingleWriter = true });
        var producer = Task.Factory.StartNew(() => Produce(walker, walked.Writer, stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            await foreach (var chunk in walked.Reader.ReadAllAsync(stop.Token))
            {
                yield return chunk;
            }
        }
        finally
        {
            await stop.CancelAsync();
            await producer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>The walk's items one by one, for a reader that awaits per item anyway.</summary>
    public static async IAsyncEnumerable<WalkItem> ItemsAsync(SourceWalker walker, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var chunk in ChunksAsync(walker, cancellationToken))
        {
            foreach (var item in chunk)
            {
                yield return item;
            }
        }
    }

    /// <summary>
    /// Asks the walk for its first step (which starts it, on its own thread), then awaits
    /// <paramref name="meanwhile"/> while the walk runs: the stored looks' first row, which for a sorted read of
    /// a whole source may come only once PostgreSQL has read them all. Asked the other way round, the walk
    /// would wait for that read, and a scan would cost the walk plus the read instead of the longer of the two.
    /// </summary>
    public static async Task<(bool Walked, T Meanwhile)> FirstStepBesideAsync<TItem, T>(IAsyncEnumerator<TItem> walk, Func<ValueTask<T>> meanwhile)
    {
        var first = walk.MoveNextAsync().AsTask();
        T other;
        try
        {
            other = await meanwhile();
        }
        catch
        {
            // The walk's enumerator cannot be disposed while its first step is still under way.
            await ((Task)first).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }

        return (await first, other);
    }

    private static void Produce(SourceWalker walker, ChannelWriter<WalkItem[]> writer, CancellationToken cancellationToken)
    {
        try
        {
            var chunk = new List<WalkItem>(ChunkSize);
            foreach (var item in walker.Walk())
            {
                chunk.Add(item);
                if (chunk.Count == ChunkSize)
                {
                    Write(writer, [.. chunk], cancellationToken);
                    chunk.Clear();
                }
            }

            Write(writer, [.. chunk], cancellationToken);
            writer.TryComplete();
        }
        catch (Exception ex)
        {
            writer.TryComplete(ex); // the reader sees the walk's own error (a missing or unreadable root, say)
        }
    }

    private static void Write(ChannelWriter<WalkItem[]> writer, WalkItem[] chunk, CancellationToken cancellationToken)
    {
        while (!writer.TryWrite(chunk))
        {
            if (!writer.WaitToWriteAsync(cancellationToken).AsTask().GetAwaiter().GetResult())
            {
                return;
            }
        }
    }
}

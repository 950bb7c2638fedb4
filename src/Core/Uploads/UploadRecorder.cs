using System.Threading.Channels;
using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Core.Uploads;

/// <summary>
/// Records finished uploads in bulk: concurrent uploads hand their outcome over and go on, and one
/// writer stores whatever has gathered in a single statement. Under load that is one round trip per
/// dozens of files instead of one per file, written while the uploads go on; when idle it is at once.
/// An outcome lost in a crash before its write is not lost for good: its intent was recorded, so the
/// retry finds the file by unique_id. Its writes are fenced by the step's lease: one refused for a stale fencing
/// token (another holder took the lease over) stops the sends at once, as nothing more they do could be recorded.
/// </summary>
internal sealed class UploadRecorder : IAsyncDisposable
{
    private const int MaxPerWrite = 256;
    private const int EnoughToWrite = 64;
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(100);
    private readonly Channel<UploadedFile> outcomes = Channel.CreateUnbounded<UploadedFile>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource completing = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task writer;
    private TaskCompletionSource enough = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int waiting; // handed over and not yet taken for a write (a single-reader channel keeps no count)
    private int skipped;
    private int added;
    private int refused;

    public UploadRecorder(IUploadStore store, Leases.Lease fence, TimeProvider time, CancellationTokenSource stopSends, CancellationToken cancellationToken)
    {
        Fence = fence;
        writer = WriteAsync(store, time, stopSends, cancellationToken);
    }

    /// <summary>The lease the step's writes are fenced by.</summary>
    public Leases.Lease Fence { get; }

    /// <summary>Whether a write was refused because another holder took the lease over; <see cref="CompleteAsync"/> throws why.</summary>
    public bool Refused => Volatile.Read(ref refused) == 1;

    public void Add(long fileVersionId, RemoteDirectoryFile remote)
    {
        if (!outcomes.Writer.TryWrite(new UploadedFile(fileVersionId, remote.Id, remote.FileId)))
        {
            throw new InvalidOperationException("The upload recorder was already completed");
        }

        Interlocked.Increment(ref added);
        if (Interlocked.Increment(ref waiting) >= EnoughToWrite)
        {
            Volatile.Read(ref enough).TrySetResult();
        }
    }

    /// <summary>Files sent (or found sent by an earlier attempt) and handed over to be recorded.</summary>
    public int Added => Volatile.Read(ref added);

    /// <summary>Files skipped because they changed or went after the scan: each is owed a scan of its folder.</summary>
    public int Skipped => Volatile.Read(ref skipped);

    /// <summary>Counts a file ended Skipped instead of uploaded (<see cref="FileSender"/>).</summary>
    public void Skip() => Interlocked.Increment(ref skipped);

    /// <summary>Writes what is left and returns once every outcome is stored (or throws the writer's failure).</summary>
    public async Task CompleteAsync()
    {
        outcomes.Writer.TryComplete();
        completing.TrySetResult(); // the last outcomes are written at once, not after the gathering wait
        await writer;
    }

    public async ValueTask DisposeAsync()
    {
        outcomes.Writer.TryComplete();
        completing.TrySetResult();
        await writer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task WriteAsync(IUploadStore store, TimeProvider time, CancellationTokenSource stopSends, CancellationToken cancellationToken)
    {
        try
        {
            await WriteAllAsync(store, time, cancellationToken);
        }
        catch (Leases.LeaseLostException)
        {
            Volatile.Write(ref refused, 1);
            await stopSends.CancelAsync();
            throw;
        }
    }

    private async Task WriteAllAsync(IUploadStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var chunk = new List<UploadedFile>(MaxPerWrite);
        while (await outcomes.Reader.WaitToReadAsync(cancellationToken))
        {
            // Let a few more finish first: a statement per handful of files costs the database more than the wait.
            // But only until enough have gathered: whatever still waits when the last upload ends is written after
            // it, and delays the batch's end. Waiting the full 100 ms every time left three quarters of a 1,000-file
            // batch for then (in the upload benchmark), four statements one after another: 20 ms per batch, now 3.
            var gathered = Volatile.Read(ref enough);
            if (Volatile.Read(ref waiting) < EnoughToWrite)
            {
                await Task.WhenAny(Task.Delay(Gather, time, cancellationToken), completing.Task, gathered.Task);
            }

            Volatile.Write(ref enough, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            while (chunk.Count < MaxPerWrite && outcomes.Reader.TryRead(out var outcome))
            {
                chunk.Add(outcome);
            }

            Interlocked.Add(ref waiting, -chunk.Count);

            await store.MarkUploadedAsync(chunk, Fence, cancellationToken);
            chunk.Clear();
        }
    }
}

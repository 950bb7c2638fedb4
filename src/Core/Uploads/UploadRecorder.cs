using System.Threading.Channels;
using BatchOrchestrator.Core.LlamaCloud;

namespace BatchOrchestrator.Core.Uploads;

/// <summary>
/// Records finished uploads in bulk: concurrent uploads hand their outcome over and go on, and one
/// writer stores whatever has gathered in a single statement. Under load that is one round trip per
/// many files instead of one per file; when idle it is at once. An outcome lost in a crash before its
/// write is not lost for good: its intent was recorded, so the retry finds the file by unique_id.
/// </summary>
internal sealed class UploadRecorder : IAsyncDisposable
{
    private const int MaxPerWrite = 256;
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(100);
    private readonly Channel<UploadedFile> outcomes = Channel.CreateUnbounded<UploadedFile>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource completing = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task writer;

    public UploadRecorder(IUploadStore store, CancellationToken cancellationToken) => writer = WriteAsync(store, cancellationToken);

    public void Add(long fileVersionId, RemoteDirectoryFile remote)
    {
        if (!outcomes.Writer.TryWrite(new UploadedFile(fileVersionId, remote.Id, remote.FileId)))
        {
            throw new InvalidOperationException("The upload recorder was already completed");
        }
    }

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

    private async Task WriteAsync(IUploadStore store, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var chunk = new List<UploadedFile>(MaxPerWrite);
        while (await outcomes.Reader.WaitToReadAsync(cancellationToken))
        {
            // Let a few more finish first: a statement per handful of files costs the database more than the wait.
            await Task.WhenAny(Task.Delay(Gather, cancellationToken), completing.Task);
            while (chunk.Count < MaxPerWrite && outcomes.Reader.TryRead(out var outcome))
            {
                chunk.Add(outcome);
            }

            await store.MarkUploadedAsync(chunk, cancellationToken);
            chunk.Clear();
        }
    }
}

using System.Diagnostics;

namespace BatchOrchestrator.Sandbox.Faults;

/// <summary>Reads the wrapped request body no faster than a given rate (the slow-upload fault).</summary>
internal sealed class ThrottledReadStream(Stream inner, int bytesPerSecond) : Stream
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Small chunks keep the pace even; each waits until the average rate is back under the cap.
        var chunk = Math.Max(1, Math.Min(buffer.Length, bytesPerSecond / 10));
        var read = await inner.ReadAsync(buffer[..chunk], cancellationToken);
        _read += read;
        var due = TimeSpan.FromSeconds((double)_read / bytesPerSecond) - _clock.Elapsed;
        if (due > TimeSpan.Zero)
        {
            await Task.Delay(due, cancellationToken);
        }

        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

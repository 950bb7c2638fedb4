using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;

namespace BatchOrchestrator.Core.Tests.LlamaCloud;

/// <summary>
/// A raw HTTP/1.1 server on loopback, below anything that could hide what reaches it. It reads each request whole
/// (headers and body, chunked or not), records it, and then does what <c>reply</c> says: answers 200 with a JSON
/// body on the kept-alive connection; closes the connection without a byte of answer (a server that took a request,
/// and maybe acted on it, then lost the connection); or sends the headers and a part of the body and then nothing
/// more, the connection left open (a peer gone silent mid-answer).
/// </summary>
internal sealed class RawHttpServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentBag<TcpClient> connections = [];
    private readonly ConcurrentQueue<Received> received = new();
    private readonly Func<Received, Reply> reply;
    private readonly Func<Received, string> answer;
    private readonly Task accepting;
    private int connectionCount;

    public RawHttpServer(Func<Received, Reply> reply, Func<Received, string> answer)
    {
        (this.reply, this.answer) = (reply, answer);
        listener.Start();
        accepting = AcceptAsync();
    }

    internal enum Reply
    {
        Answer,
        Close,
        StallBody,
    }

    /// <summary>A request as read: its connection (1 for the first accepted) and its place on it (1 for the first).</summary>
    internal sealed record Received(string Method, string Target, int Connection, int OnConnection, long BodyBytes);

    public Uri BaseAddress => new($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");

    public IReadOnlyList<Received> Requests => [.. received];

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            connections.Add(client);
            _ = ServeAsync(client, Interlocked.Increment(ref connectionCount));
        }
    }

    private async Task ServeAsync(TcpClient client, int connection)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var reader = new Reader(stream);
                for (var onConnection = 1; ; onConnection++)
                {
                    if (await ReadRequestAsync(reader, connection, onConnection) is not { } request)
                    {
                        return; // the client closed the connection
                    }

                    received.Enqueue(request);
                    var what = reply(request);
                    if (what == Reply.Close)
                    {
                        client.Client.Shutdown(SocketShutdown.Both); // a FIN, no answer: the request was read whole
                        return;
                    }

                    var body = Encoding.UTF8.GetBytes(answer(request));
                    var head = Encoding.ASCII.GetBytes(string.Create(
                        CultureInfo.InvariantCulture, $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n"));
                    await stream.WriteAsync(head, stop.Token);
                    if (what == Reply.StallBody)
                    {
                        await stream.WriteAsync(body.AsMemory(0, body.Length / 2), stop.Token);
                        await Task.Delay(Timeout.Infinite, stop.Token); // silent until the server stops
                    }

                    await stream.WriteAsync(body, stop.Token);
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away, or the server is stopping.
            }
        }
    }

    private async Task<Received?> ReadRequestAsync(Reader reader, int connection, int onConnection)
    {
        if (await reader.LineAsync(stop.Token) is not { Length: > 0 } requestLine)
        {
            return null;
        }

        long length = 0;
        var chunked = false;
        for (var line = await reader.LineAsync(stop.Token); !string.IsNullOrEmpty(line); line = await reader.LineAsync(stop.Token))
        {
            var (name, value) = (line[..line.IndexOf(':', StringComparison.Ordinal)].Trim(), line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim());
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                length = long.Parse(value, CultureInfo.InvariantCulture);
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                chunked = value.Contains("chunked", StringComparison.OrdinalIgnoreCase);
            }
        }

        var bodyBytes = chunked ? await ReadChunkedAsync(reader) : await reader.SkipAsync(length, stop.Token);
        var parts = requestLine.Split(' ');
        return new Received(parts[0], parts[1], connection, onConnection, bodyBytes);
    }

    private async Task<long> ReadChunkedAsync(Reader reader)
    {
        long total = 0;
        while (true)
        {
            var sizeLine = await reader.LineAsync(stop.Token) ?? throw new IOException("the body ended early");
            var size = long.Parse(sizeLine.Split(';')[0].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                while (!string.IsNullOrEmpty(await reader.LineAsync(stop.Token)))
                {
                    // trailers, if any
                }

                return total;
            }

            total += await reader.SkipAsync(size, stop.Token);
            await reader.LineAsync(stop.Token); // the CRLF after the chunk
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        foreach (var connection in connections)
        {
            connection.Dispose();
        }

        await accepting;
        stop.Dispose();
    }

    /// <summary>Lines and counted bytes off a stream, through one buffer.</summary>
    private sealed class Reader(Stream stream)
    {
        private readonly byte[] buffer = new byte[16 * 1024];
        private int start;
        private int end;

        /// <summary>The next line without its CRLF; null at the end of the stream.</summary>
        public async Task<string?> LineAsync(CancellationToken cancellationToken)
        {
            var line = new StringBuilder();
            while (true)
            {
                if (start == end && !await FillAsync(cancellationToken))
                {
                    return line.Length == 0 ? null : line.ToString();
                }

                var b = buffer[start++];
                if (b == '\n')
                {
                    return line.ToString().TrimEnd('\r');
                }

                line.Append((char)b);
            }
        }

        public async Task<long> SkipAsync(long count, CancellationToken cancellationToken)
        {
            var left = count;
            while (left > 0)
            {
                if (start == end && !await FillAsync(cancellationToken))
                {
                    throw new IOException("the body ended early");
                }

                var taken = (int)Math.Min(left, end - start);
                start += taken;
                left -= taken;
            }

            return count;
        }

        private async Task<bool> FillAsync(CancellationToken cancellationToken)
        {
            (start, end) = (0, await stream.ReadAsync(buffer, cancellationToken));
            return end > 0;
        }
    }
}

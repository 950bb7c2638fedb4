using System.Net;
using System.Net.Sockets;

namespace BatchOrchestrator.Core.IntegrationTests.FollowUp;

/// <summary>
/// A sink of one's own that posts results to an endpoint meets HttpClient's timeout as a <see cref="TaskCanceledException"/>. That is
/// the sink refusing a result, as any other exception: taken for the look being stopped, it left the chunk unsaved, so the batch was
/// handed out again at every claim, the same results written to every sink each time, and the attempts never counted.
/// </summary>
public sealed class SinkTimeoutFacts(PostgresServerFixture server) : HarnessPerTest(server)
{
    [Fact]
    public async Task ASinkWhoseHttpCallTimesOut_RefusesThatResultAlone_AndTheOthersAreDelivered()
    {
        using var silent = new SilentEndpoint();
        using var sink = new PostingSink(silent.Address);
        await using var h = await PipelineHarness.CreateAsync(
            Server,
            new Dictionary<string, string?> { ["FollowUp:Sinks:0"] = "Posting", ["FollowUp:Sinks:1"] = "Postgres", ["FollowUp:MaxAttempts"] = "1" },
            services: s => s.AddSingleton<IFollowUpSink>(sink));
        h.WriteFile("slow.txt", "the endpoint never answers for this one");
        h.WriteFile("a.txt", "a document");
        h.WriteFile("b.txt", "another document");

        await h.FollowUpAllAsync(await h.RunToRecordedAsync(Ct), Ct);

        Assert.Equal(
            [("a.txt", "FollowedUp"), ("b.txt", "FollowedUp"), ("slow.txt", "FollowUpFailed")],
            await h.Database.ListAsync(
                "select v.relative_path, r.follow_up_state from orchestrator.batch_result r join orchestrator.file_version v on v.id = r.file_version_id order by 1",
                r => (r.GetString(0), r.GetString(1))));
        var error = await h.Database.ScalarAsync<string>(
            "select r.follow_up_error from orchestrator.batch_result r join orchestrator.file_version v on v.id = r.file_version_id where v.relative_path = 'slow.txt'");
        Assert.StartsWith("sink Posting: ", error, StringComparison.Ordinal);
        Assert.Contains("HttpClient.Timeout", error, StringComparison.Ordinal);
        Assert.Equal(2, sink.Delivered.Count);
    }

    /// <summary>Posts each result whose path names it slow to an endpoint that never answers, as a sink of one's own might.</summary>
    private sealed class PostingSink(Uri endpoint) : IFollowUpSink, IDisposable
    {
        private readonly HttpClient http = new() { Timeout = TimeSpan.FromMilliseconds(300) };

        public string Name => "Posting";

        public System.Collections.Concurrent.ConcurrentBag<string> Delivered { get; } = [];

        public async Task WriteAsync(IReadOnlyList<FollowUpDocument> documents, CancellationToken cancellationToken)
        {
            foreach (var document in documents)
            {
                if (document.RelativePath.StartsWith("slow", StringComparison.Ordinal))
                {
                    using var response = await http.PostAsync(endpoint, new StringContent(document.RelativePath), cancellationToken);
                }
            }

            foreach (var document in documents)
            {
                Delivered.Add(document.RelativePath);
            }
        }

        public void Dispose() => http.Dispose();
    }

    /// <summary>A loopback endpoint that takes connections and never answers.</summary>
    private sealed class SilentEndpoint : IDisposable
    {
        private readonly TcpListener listener = new(IPAddress.Loopback, 0);
        private readonly List<Socket> held = [];

        public SilentEndpoint()
        {
            listener.Start();
            _ = AcceptAsync();
        }

        public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/results");

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var socket = await listener.AcceptSocketAsync();
                    lock (held)
                    {
                        held.Add(socket);
                    }
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // stopped
            }
        }

        public void Dispose()
        {
            listener.Stop();
            lock (held)
            {
                held.ForEach(s => s.Dispose());
            }
        }
    }
}

using System.Buffers;
using BatchOrchestrator.Sandbox.Admin;
using Counters = BatchOrchestrator.Sandbox.Admin.SandboxCounters;

namespace BatchOrchestrator.Sandbox.Tests.Admin;

/// <summary>The counters are read while requests still count: a read must never fail because a key was added meanwhile.</summary>
public sealed class SandboxCountersFacts
{
    [Fact]
    public async Task Reading_WhileNewKeysAreCounted_AlwaysWritesAWholeDocument()
    {
        // Sorting a ConcurrentDictionary with LINQ reads its Count, then copies it: a key added between the two
        // threw in the middle of the response, which the reader saw as "the response ended prematurely".
        var counters = new Counters();
        for (var i = 0; i < 2_000; i++)
        {
            counters.AddTo(Counter.UploadsByUniqueId, $"seed-{i}");
        }

        // Keys are counted on another thread from the moment the first read begins, and read again and again until
        // that thread is done: every read overlaps the counting.
        using var reading = new ManualResetEventSlim();
        var adding = Task.Run(
            () =>
            {
                reading.Wait(Ct);
                for (var i = 0; i < 100_000; i++)
                {
                    counters.AddTo(Counter.UploadsByUniqueId, $"new-{i}");
                }
            },
            Ct);
        do
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                reading.Set();
                counters.Write(writer);
            }

            using var document = JsonDocument.Parse(buffer.WrittenMemory);
            Assert.True(document.RootElement.GetProperty(Counter.UploadsByUniqueId).EnumerateObject().Count() >= 2_000);
        }
        while (!adding.IsCompleted);

        await adding;
    }
}

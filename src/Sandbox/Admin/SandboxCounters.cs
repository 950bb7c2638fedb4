using System.Collections.Concurrent;

namespace BatchOrchestrator.Sandbox.Admin;

/// <summary>Counters behind GET /_sandbox/counters, so tests can prove exactly-once effects.</summary>
internal sealed class SandboxCounters
{
    private readonly ConcurrentDictionary<string, long> _totals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, long>> _breakdowns = new(StringComparer.Ordinal);
    private long _inFlight;
    private long _maxInFlight;

    public void Add(string total, string? breakdown = null, string? key = null)
    {
        _totals.AddOrUpdate(total, 1, static (_, n) => n + 1);
        if (breakdown is not null && key is not null)
        {
            AddTo(breakdown, key);
        }
    }

    public void AddTo(string breakdown, string key)
        => _breakdowns.GetOrAdd(breakdown, static _ => new(StringComparer.Ordinal)).AddOrUpdate(key, 1, static (_, n) => n + 1);

    /// <summary>Raises a breakdown entry to <paramref name="value"/> if it is higher (a peak, not a count).</summary>
    public void SetMax(string breakdown, string key, long value)
        => _breakdowns.GetOrAdd(breakdown, static _ => new(StringComparer.Ordinal)).AddOrUpdate(key, value, (_, n) => Math.Max(n, value));

    public long Total(string total) => _totals.TryGetValue(total, out var n) ? n : 0;

    /// <summary>Marks a request in flight; dispose the result when it completes.</summary>
    public InFlight Enter()
    {
        var now = Interlocked.Increment(ref _inFlight);
        long max;
        while (now > (max = Interlocked.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
        {
        }

        return new InFlight(this);
    }

    public void Reset()
    {
        _totals.Clear();
        _breakdowns.Clear();
        Interlocked.Exchange(ref _maxInFlight, Interlocked.Read(ref _inFlight));
    }

    public void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        foreach (var total in Counter.Totals)
        {
            writer.WriteNumber(total + "_total", Total(total));
        }

        foreach (var name in Counter.Breakdowns)
        {
            writer.WriteStartObject(name);
            if (_breakdowns.TryGetValue(name, out var entries))
            {
                // ToArray is the dictionary's own snapshot, taken under its locks. LINQ's sort read Count, then
                // copied: a key counted in between threw in the middle of the response (the reader saw it end early).
                var snapshot = entries.ToArray();
                Array.Sort(snapshot, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
                foreach (var (key, count) in snapshot)
                {
                    writer.WriteNumber(key, count);
                }
            }

            writer.WriteEndObject();
        }

        writer.WriteNumber("max_concurrent_requests", Interlocked.Read(ref _maxInFlight));
        writer.WriteNumber("current_concurrent_requests", Interlocked.Read(ref _inFlight));
        writer.WriteEndObject();
    }

    /// <summary>Ends one in-flight request.</summary>
    internal readonly struct InFlight(SandboxCounters counters) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref counters._inFlight);
    }
}

using System.Diagnostics;

namespace BatchOrchestrator.TestSupport;

/// <summary>Waits for a condition with a timeout, probing it repeatedly; never a fixed sleep.</summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Probes until <paramref name="done"/> holds and returns the value that satisfied it. A probe against a
    /// fast in-process fake (the Sandbox steps every few milliseconds) passes a shorter <paramref name="every"/>.
    /// </summary>
    public static async Task<T> WaitAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what, TimeSpan? every = null)
    {
        var clock = Stopwatch.StartNew();
        var last = await probe();
        while (!done(last))
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for {what}; last value: {Describe(last)}");
            }

            await Task.Delay(every ?? DefaultInterval);
            last = await probe();
        }

        return last;
    }

    public static Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? every = null) =>
        WaitAsync(condition, ok => ok, timeout, what, every);

    private static string Describe<T>(T value) => value switch
    {
        null => "null",
        System.Collections.IEnumerable items and not string => $"[{string.Join(", ", items.Cast<object?>().Take(20))}]",
        _ => value.ToString() ?? "",
    };
}

using System.Globalization;
using BatchOrchestrator.Worker.Health;
using Hangfire.Logging;

namespace BatchOrchestrator.Worker.Logging;

/// <summary>
/// Hangfire's log, with a database it cannot reach said in one line, once a minute. When PostgreSQL goes away, each of
/// Hangfire's background processes (one per worker of <c>Hangfire:Server:WorkerCount</c>, the schedulers, the heartbeat,
/// the lock handlers) logs the same connection failure with its stack trace, as an Error once the outage has lasted a
/// few seconds and again as a reminder while it lasts: a screenful of stack traces per process, burying the line that
/// says what is wrong. Such a failure is written with its reason instead, and the same failure from Hangfire's other
/// processes within <see cref="Quiet"/> is counted, not written: the next line of it says how many were left out. Any
/// other exception keeps its stack trace and is never held back.
/// </summary>
internal sealed class HangfireOutageLogProvider(ILogProvider inner, TimeProvider? time = null) : ILogProvider
{
    /// <summary>How long after one outage line the same line from another of Hangfire's processes is only counted.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMinutes(1);

    // Per level, so that an Error an alert waits on is never held back behind a Warning of the same outage.
    private readonly Dictionary<Hangfire.Logging.LogLevel, (DateTimeOffset WrittenAt, int LeftOut)> lines = [];
    private readonly TimeProvider clock = time ?? TimeProvider.System;

    public ILog GetLogger(string name) => new OutageLog(inner.GetLogger(name), this);

    /// <summary>Whether an outage line at <paramref name="level"/> is written now, and how many were left out before it.</summary>
    private bool TryWrite(Hangfire.Logging.LogLevel level, out (DateTimeOffset Since, int Count) leftOut)
    {
        var now = clock.GetUtcNow();
        lock (lines)
        {
            var known = lines.TryGetValue(level, out var last);
            if (known && now - last.WrittenAt < Quiet)
            {
                lines[level] = last with { LeftOut = last.LeftOut + 1 };
                leftOut = default;
                return false;
            }

            leftOut = (last.WrittenAt, last.LeftOut);
            lines[level] = (now, 0);
            return true;
        }
    }

    private sealed class OutageLog(ILog inner, HangfireOutageLogProvider provider) : ILog
    {
        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            // A null messageFunc only asks whether the level is on.
            if (messageFunc is null || exception is null || DatabaseUnreachable.Describe(exception) is not { } reason)
            {
                return inner.Log(logLevel, messageFunc, exception);
            }

            if (!inner.Log(logLevel, null))
            {
                return false; // a level that is off neither writes nor counts
            }

            if (!provider.TryWrite(logLevel, out var leftOut))
            {
                return true;
            }

            var more = leftOut.Count == 0
                ? ""
                : string.Create(CultureInfo.InvariantCulture, $"; {leftOut.Count} more such line{(leftOut.Count == 1 ? "" : "s")} of Hangfire's left out since {leftOut.Since:HH:mm:ss} UTC");
            return inner.Log(logLevel, () => $"{messageFunc()} (PostgreSQL cannot be reached: {reason}; {exception.GetType().Name}, stack trace left out{more})", null);
        }
    }
}

using BatchOrchestrator.Worker.Health;
using Hangfire.Logging;

namespace BatchOrchestrator.Worker.Logging;

/// <summary>
/// Hangfire's log, with a database it cannot reach said in one line. When PostgreSQL goes away, each of Hangfire's
/// background processes (one per worker of <c>Hangfire:Server:WorkerCount</c>, the schedulers, the heartbeat, the
/// lock handlers) logs the same connection failure with its stack trace, as an Error once the outage has lasted a few
/// seconds and again as a reminder while it lasts: a screenful of stack traces per process, burying the line that says
/// what is wrong. Such a failure is written with its reason instead; any other exception keeps its stack trace.
/// </summary>
internal sealed class HangfireOutageLogProvider(ILogProvider inner) : ILogProvider
{
    public ILog GetLogger(string name) => new OutageLog(inner.GetLogger(name));

    private sealed class OutageLog(ILog inner) : ILog
    {
        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            // A null messageFunc only asks whether the level is on.
            if (messageFunc is null || exception is null || DatabaseUnreachable.Describe(exception) is not { } reason)
            {
                return inner.Log(logLevel, messageFunc, exception);
            }

            return inner.Log(logLevel, () => $"{messageFunc()} (PostgreSQL cannot be reached: {reason}; {exception.GetType().Name}, stack trace left out)", null);
        }
    }
}

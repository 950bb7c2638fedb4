using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BatchOrchestrator.Worker.Health;

/// <summary>
/// Says in the log when readiness changes, however often <c>/readyz</c> is probed: one Warning when it turns
/// unhealthy, naming each failing check with its description (the /readyz body's words, no stack trace), another
/// only if the set of failing checks changes, and one Information when every check passes again. A check that is only
/// Degraded (LlamaCloud not answering: <c>/readyz</c> still answers 200) is said the same way, as degraded, not as not ready.
/// The health check service's own lines (an Error per failing check at every probe) are kept out by <c>WorkerLogging</c>.
/// It watches the reports the probes already produce rather than being an <c>IHealthCheckPublisher</c>: a publisher
/// runs every check again on its own timer (more queries to the database, more calls to LlamaCloud), and would say
/// a change up to one period after /readyz had already answered it.
/// </summary>
internal sealed class ReadinessLog(TimeProvider time, ILogger<ReadinessLog> logger)
{
    private readonly Lock gate = new();
    private string failing = ""; // the failing checks' names and states; empty while ready (as at start: nothing said until a probe fails)
    private bool wasNotReady; // in this episode, at some probe: its end says "not ready" (for the whole episode) rather than "degraded"
    private long notReadySince;

    public void Observe(HealthReport report)
    {
        var failures = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
        var names = string.Join(", ", failures.Select(f => $"{f.Key} {f.Value.Status}"));
        lock (gate)
        {
            if (names == failing)
            {
                return; // the same probe answer as before: said already
            }

            var wasReady = failing.Length == 0;
            failing = names;
            if (names.Length == 0)
            {
                var notReadyFor = TimeSpan.FromSeconds(Math.Round(time.GetElapsedTime(notReadySince).TotalSeconds));
                if (wasNotReady)
                {
                    logger.LogInformation("Ready again: every readiness check passes, after {NotReadyFor} not ready", notReadyFor.ToString("c", CultureInfo.InvariantCulture));
                }
                else
                {
                    logger.LogInformation("Healthy again: every readiness check passes, after {DegradedFor} degraded (ready throughout)", notReadyFor.ToString("c", CultureInfo.InvariantCulture));
                }

                wasNotReady = false;
                return;
            }

            if (wasReady)
            {
                notReadySince = time.GetTimestamp();
            }

            var described = string.Join("; ", failures.Select(f => $"{f.Key}: {f.Value.Description ?? f.Value.Exception?.Message ?? "no description"}"));
            var notReady = failures.Any(f => f.Value.Status == HealthStatus.Unhealthy);
            wasNotReady |= notReady;
            if (notReady)
            {
                logger.LogWarning("Not ready, /readyz answers 503 until these checks pass: {FailingChecks}", described);
            }
            else
            {
                logger.LogWarning("Degraded, /readyz still answers 200 (this instance stays in service): {FailingChecks}", described);
            }
        }
    }
}

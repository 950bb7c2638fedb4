using System.Diagnostics.Metrics;
using BatchOrchestrator.Core.Sources;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Metrics;

/// <summary>
/// Our instruments, exported at <c>/metrics</c> for Prometheus. Counts of files, batches and runs by
/// state and the lags are cluster-wide (read from the database), so every replica reports the same
/// values: aggregate them with <c>max</c>, not <c>sum</c>. API calls and errors are per replica.
/// </summary>
internal sealed class OpsMetrics : IDisposable
{
    public const string MeterName = "BatchOrchestrator";

    private readonly Meter meter;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Schedule, string TimeZone), double?> intervals = new();

    public OpsMetrics(IMeterFactory meters, GaugeSnapshot gauges, IOptionsMonitor<SourcesOptions> sources, TimeProvider time)
    {
        meter = meters.Create(MeterName);
        ApiRequests = meter.CreateCounter<long>("batchorchestrator.api.requests", "{request}", "LlamaCloud requests by operation and HTTP status (each attempt)");
        ApiErrors = meter.CreateCounter<long>("batchorchestrator.api.errors", "{error}", "LlamaCloud errors by class: transient, throttled, auth, rejected");
        // Each attempt, as ApiMetricsHandler sees it inside the client's retry layer: a file uploaded after a 503 counts once
        // as transient and once as uploaded, so the name's "uploads" are attempts, and the help and unit say so (docs/operations.md).
        Uploads = meter.CreateCounter<long>(
            "batchorchestrator.uploads",
            "{attempt}",
            "Upload attempts to LlamaCloud, retries included, by outcome: uploaded, or the error class of an attempt that failed (a file uploaded after a failed attempt counts once under each)");
        PollDuration = meter.CreateHistogram(
            "batchorchestrator.poll.duration",
            "s",
            "Time LlamaCloud took to answer a batch status poll",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        meter.CreateObservableGauge("batchorchestrator.files", () => gauges.Read("files", "state"), "{file}", "File versions of the configured sources by state");
        meter.CreateObservableGauge("batchorchestrator.batches", () => gauges.Read("batches", "state"), "{batch}", "Batches of the configured sources by state");
        meter.CreateObservableGauge("batchorchestrator.runs.active", () => gauges.Read("runs", "state"), "{run}", "Runs scanning or active");
        meter.CreateObservableGauge("batchorchestrator.followup.lag", () => gauges.Read("follow_up_lag"), "s", "Age of the oldest job reference still waiting for follow-up");
        meter.CreateObservableGauge("batchorchestrator.poll.overdue", () => gauges.Read("poll_overdue"), "s", "How far the most overdue batch poll is behind its schedule");
        meter.CreateObservableGauge("batchorchestrator.stuck", () => gauges.Read("stuck", "what"), "{item}", "Batches and job references the watchdog flagged as stuck");
        meter.CreateObservableGauge("batchorchestrator.files.set_aside", () => gauges.Read("files_set_aside", "kind"), "{file}", "Files of the configured sources the scanner set aside, by reason");
        meter.CreateObservableGauge(
            "batchorchestrator.partial_results", () => gauges.Read("partial_results", "source"), "{file}", "Files whose latest result was delivered without pages LlamaCloud failed, by source");
        // The names below are fixed for the alert rules and the Grafana dashboard in deploy/ (docs/alerting.md).
        meter.CreateObservableGauge(
            "batchorchestrator.files.ended_last_hour", () => gauges.Read("files_ended_last_hour", "source", "outcome"), "{file}", "Files whose batch ended in the last hour, by source and outcome");
        meter.CreateObservableCounter("batchorchestrator.webhooks.missed", () => gauges.Read("webhooks_missed"), "{batch}", "Ended batches no webhook announced within Webhooks:MissedAfter");
        meter.CreateObservableGauge(
            "batchorchestrator.source.last_success_timestamp", () => gauges.Read("source_last_success", "source"), "s", "End of the source's last successful run: a file of it succeeded, or it had nothing to do (Unix time)");
        meter.CreateObservableGauge(
            "batchorchestrator.source.schedule_interval", () => Intervals(sources.CurrentValue, time.GetUtcNow()), "s", "Longest gap between two scheduled runs of the source");
        meter.CreateObservableGauge(
            "batchorchestrator.cap_headroom_credits", () => gauges.Read(CostGauges.Headroom, "scope", "window"), "{credit}", "Credits a cap still allows in its current window (docs/costs.md)");
        meter.CreateObservableGauge(
            "batchorchestrator.source.patterns_took_none",
            () => gauges.Read("patterns_took_none", "source"),
            "{file}",
            "Files the Include/Exclude patterns left out at the source's latest scan when they took none of them, else 0");
        meter.CreateObservableGauge("batchorchestrator.files_held", () => gauges.Read(CostGauges.Held, "source"), "{file}", "File versions held back by a spending cap");
        meter.CreateObservableGauge(
            "batchorchestrator.cap_files_held", () => gauges.Read(CostGauges.HeldByCap, "scope", "window"), "{file}", "File versions a cap holds back, by its scope and window");
        meter.CreateObservableGauge("batchorchestrator.database.up", gauges.DatabaseUp, unit: null, "1 when the last database-backed gauge refresh succeeded, else 0");
    }

    public Counter<long> ApiRequests { get; }

    public Counter<long> ApiErrors { get; }

    public Counter<long> Uploads { get; }

    public Histogram<double> PollDuration { get; }

    public void Dispose() => meter.Dispose();

    private IEnumerable<Measurement<double>> Intervals(SourcesOptions options, DateTimeOffset now)
    {
        foreach (var source in options.Sources)
        {
            // A cron's gaps do not change: worked out once per schedule, not at every scrape.
            var key = (source.Schedule, source.TimeZone);
            if (!intervals.TryGetValue(key, out var seconds))
            {
                var zone = TimeZoneInfo.TryFindSystemTimeZoneById(source.TimeZone, out var found) ? found : TimeZoneInfo.Utc;
                seconds = ScheduleInterval.Longest(source.Schedule, zone, now)?.TotalSeconds;
                intervals[key] = seconds;
            }

            if (seconds is { } value)
            {
                yield return new Measurement<double>(value, new KeyValuePair<string, object?>("source", source.Name));
            }
        }
    }
}

using System.Diagnostics.Metrics;

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

    public OpsMetrics(IMeterFactory meters, GaugeSnapshot gauges)
    {
        meter = meters.Create(MeterName);
        ApiRequests = meter.CreateCounter<long>("batchorchestrator.api.requests", "{request}", "LlamaCloud requests by operation and HTTP status (each attempt)");
        ApiErrors = meter.CreateCounter<long>("batchorchestrator.api.errors", "{error}", "LlamaCloud errors by class: transient, throttled, auth, rejected");
        Uploads = meter.CreateCounter<long>("batchorchestrator.uploads", "{file}", "File uploads to LlamaCloud by outcome");
        PollDuration = meter.CreateHistogram(
            "batchorchestrator.poll.duration",
            "s",
            "Time LlamaCloud took to answer a batch status poll",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        meter.CreateObservableGauge("batchorchestrator.files", () => gauges.Read("files", "state"), "{file}", "File versions by state");
        meter.CreateObservableGauge("batchorchestrator.batches", () => gauges.Read("batches", "state"), "{batch}", "Batches by state");
        meter.CreateObservableGauge("batchorchestrator.runs.active", () => gauges.Read("runs", "state"), "{run}", "Runs scanning or active");
        meter.CreateObservableGauge("batchorchestrator.followup.lag", () => gauges.Read("follow_up_lag"), "s", "Age of the oldest job reference still waiting for follow-up");
        meter.CreateObservableGauge("batchorchestrator.poll.overdue", () => gauges.Read("poll_overdue"), "s", "How far the most overdue batch poll is behind its schedule");
        meter.CreateObservableGauge("batchorchestrator.stuck", () => gauges.Read("stuck", "what"), "{item}", "Batches and job references the watchdog flagged as stuck");
        meter.CreateObservableGauge("batchorchestrator.files.set_aside", () => gauges.Read("files_set_aside", "kind"), "{file}", "Files the scanner set aside, by reason");
    }

    public Counter<long> ApiRequests { get; }

    public Counter<long> ApiErrors { get; }

    public Counter<long> Uploads { get; }

    public Histogram<double> PollDuration { get; }

    public void Dispose() => meter.Dispose();
}

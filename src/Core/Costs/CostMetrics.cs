using System.Diagnostics.Metrics;

namespace BatchOrchestrator.Core.Costs;

/// <summary>
/// The cost counters, exported with the Worker's other metrics (same meter name): credits estimated when
/// planning reserves them, credits billed when a follow-up reads them, and job references flagged as
/// drift. Names are fixed for the alert rules and the dashboard (docs/costs.md, "Metrics").
/// </summary>
internal sealed class CostMetrics
{
    /// <summary>The meter the Worker exports (its OpsMetrics uses the same name).</summary>
    public const string MeterName = "BatchOrchestrator";

    private readonly Counter<double> estimated;
    private readonly Counter<double> billed;
    private readonly Counter<long> drift;

    public CostMetrics(IMeterFactory? meters = null)
    {
        var meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        estimated = meter.CreateCounter<double>("batchorchestrator_credits_estimated", "{credit}", "Credits reserved by planning (estimated), by source and tier");
        billed = meter.CreateCounter<double>("batchorchestrator_credits_billed", "{credit}", "Credits LlamaCloud billed, read by follow-ups, by source and tier");
        drift = meter.CreateCounter<long>("batchorchestrator_cost_drift", "{job}", "Job references billed above DriftFactor x their estimate or at another tier");
    }

    public void Estimated(string source, string tier, decimal credits) => estimated.Add((double)credits, Tags(source, tier));

    public void Billed(string source, string tier, decimal credits) => billed.Add((double)credits, Tags(source, tier));

    public void Drift(string source) => drift.Add(1, new KeyValuePair<string, object?>("source", source));

    private static ReadOnlySpan<KeyValuePair<string, object?>> Tags(string source, string tier) =>
        new KeyValuePair<string, object?>[] { new("source", source), new("tier", tier) };
}

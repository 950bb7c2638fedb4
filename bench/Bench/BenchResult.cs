using System.Globalization;

namespace BatchOrchestrator.Bench;

/// <summary>
/// One comparison: our figure beside the baseline's, the ratio, and the target it is held to.
/// <paramref name="LowerIsBetter"/> says which way the target points (times: yes; throughput: no).
/// </summary>
internal sealed record BenchResult(string Metric, double Ours, double Baseline, string Unit, double Target, bool LowerIsBetter, string? Note = null)
{
    public double Ratio => Baseline == 0 ? double.NaN : Ours / Baseline;

    public bool MeetsTarget => LowerIsBetter ? Ratio <= Target : Ratio >= Target;

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Metric,-44} ours {Ours,12:F3} {Unit,-8} baseline {Baseline,12:F3} {Unit,-8} ratio {Ratio,7:F3} (target {(LowerIsBetter ? "≤" : "≥")} {Target:F2}) {(MeetsTarget ? "met" : "MISSED")}{(Note is null ? "" : "  " + Note)}");
}

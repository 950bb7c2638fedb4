using System.Globalization;

namespace BatchOrchestrator.Bench;

/// <summary>
/// One comparison: our figure beside the baseline's, the ratio, and the target it is held to.
/// <paramref name="LowerIsBetter"/> says which way the target points (times: yes; throughput: no).
/// </summary>
internal sealed record BenchResult(string Metric, double Ours, double Baseline, string Unit, double Target, bool LowerIsBetter, string? Note = null)
{
    /// <summary>Whether the target holds our figure itself (a count, a share of a core) rather than the ratio.</summary>
    public bool TargetIsAbsolute { get; init; }

    public double Ratio => Baseline == 0 ? double.NaN : Ours / Baseline;

    public bool MeetsTarget => (TargetIsAbsolute ? Ours : Ratio) is var value && (LowerIsBetter ? value <= Target : value >= Target);

    /// <summary>A figure held to an absolute target (lower is better), with an optional baseline shown beside it.</summary>
    public static BenchResult Absolute(string metric, double ours, string unit, double target, string? note = null, double baseline = double.NaN) =>
        new(metric, ours, baseline, unit, target, LowerIsBetter: true, note) { TargetIsAbsolute = true };

    public override string ToString() => TargetIsAbsolute
        ? string.Create(
            CultureInfo.InvariantCulture,
            $"{Metric,-44} ours {Ours,12:F3} {Unit,-8} baseline {(double.IsNaN(Baseline) ? "           -" : Baseline.ToString("F3", CultureInfo.InvariantCulture).PadLeft(12))} {Unit,-8} (target ≤ {Target:F2} {Unit}) {(MeetsTarget ? "met" : "MISSED")}{(Note is null ? "" : "  " + Note)}")
        : string.Create(
            CultureInfo.InvariantCulture,
            $"{Metric,-44} ours {Ours,12:F3} {Unit,-8} baseline {Baseline,12:F3} {Unit,-8} ratio {Ratio,7:F3} (target {(LowerIsBetter ? "≤" : "≥")} {Target:F2}) {(MeetsTarget ? "met" : "MISSED")}{(Note is null ? "" : "  " + Note)}");
}

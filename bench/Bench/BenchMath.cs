namespace BatchOrchestrator.Bench;

internal static class BenchMath
{
    /// <summary>The middle value (the upper middle of an even count); NaN when there is none.</summary>
    public static double Median(IReadOnlyCollection<double> values) => values.Count == 0 ? double.NaN : values.Order().ElementAt(values.Count / 2);
}

using BatchOrchestrator.Core.Validation;

namespace BatchOrchestrator.Worker.Metrics;

/// <summary>Checks the "Metrics" section.</summary>
internal sealed class MetricsOptionsValidator : OptionsValidator<MetricsOptions>
{
    protected override void Check(MetricsOptions options, List<string> failures)
    {
        const string section = MetricsOptions.SectionName;
        // Each refresh is a query over the state tables; faster than this would load the database for nothing.
        // Above an hour the gauges would say nothing of now, and a timer of more than 49.7 days stops the host unexplained.
        if (options.RefreshInterval < TimeSpan.FromMilliseconds(100) || options.RefreshInterval > TimeSpan.FromHours(1))
        {
            failures.Add($"{section}:RefreshInterval: {options.RefreshInterval} must be from 100 ms to an hour");
        }

        if (!string.IsNullOrEmpty(options.Path) && !options.Path.StartsWith('/'))
        {
            failures.Add($"{section}:Path: '{options.Path}' must start with '/', or be empty to turn the endpoint off");
        }
    }
}

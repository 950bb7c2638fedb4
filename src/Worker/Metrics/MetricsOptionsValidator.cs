using BatchOrchestrator.Core.Validation;

namespace BatchOrchestrator.Worker.Metrics;

/// <summary>Checks the "Metrics" section.</summary>
internal sealed class MetricsOptionsValidator : OptionsValidator<MetricsOptions>
{
    protected override void Check(MetricsOptions options, List<string> failures)
    {
        const string section = MetricsOptions.SectionName;
        // Each refresh is a query over the state tables; faster than this would load the database for nothing.
        if (options.RefreshInterval < TimeSpan.FromMilliseconds(100))
        {
            failures.Add($"{section}:RefreshInterval: {options.RefreshInterval} must be at least 100 ms");
        }

        if (!string.IsNullOrEmpty(options.Path) && !options.Path.StartsWith('/'))
        {
            failures.Add($"{section}:Path: '{options.Path}' must start with '/', or be empty to turn the endpoint off");
        }
    }
}

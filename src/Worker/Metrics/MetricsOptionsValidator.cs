using BatchOrchestrator.Core.Validation;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Metrics;

/// <summary>Checks the "Metrics" section.</summary>
internal sealed class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        var failures = new List<string>();
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

        return failures.ToResult();
    }
}

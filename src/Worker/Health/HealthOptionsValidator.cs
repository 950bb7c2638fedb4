using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Health;

/// <summary>Checks the "Health" section.</summary>
internal sealed class HealthOptionsValidator : IValidateOptions<HealthOptions>
{
    public ValidateOptionsResult Validate(string? name, HealthOptions options)
    {
        var failures = new List<string>();
        if (options.ApiCheckInterval < TimeSpan.FromSeconds(1))
        {
            // Each /readyz probe past this asks LlamaCloud again: below a second, probes would spend the API's rate limit.
            failures.Add($"{HealthOptions.SectionName}:ApiCheckInterval: {options.ApiCheckInterval} must be at least a second");
        }

        if (options.ApiTimeout < TimeSpan.FromMilliseconds(100) || options.ApiTimeout > ApiHealthCheck.Limit - TimeSpan.FromSeconds(1))
        {
            // Past the check's own limit the health service cuts the check off before it can say why.
            failures.Add($"{HealthOptions.SectionName}:ApiTimeout: {options.ApiTimeout} must be between 00:00:00.1 and {ApiHealthCheck.Limit - TimeSpan.FromSeconds(1)}");
        }

        if (options.DatabaseTimeout < TimeSpan.FromMilliseconds(100) || options.DatabaseTimeout > TimeSpan.FromMinutes(1))
        {
            // Shorter, a loaded but healthy server would read as down; longer, a probe gives up before the answer comes.
            failures.Add($"{HealthOptions.SectionName}:DatabaseTimeout: {options.DatabaseTimeout} must be between 00:00:00.1 and 00:01:00");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

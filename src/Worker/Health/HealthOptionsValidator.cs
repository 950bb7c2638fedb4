using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Health;

/// <summary>Checks the "Health" section.</summary>
internal sealed class HealthOptionsValidator : IValidateOptions<HealthOptions>
{
    public ValidateOptionsResult Validate(string? name, HealthOptions options) =>
        options.ApiCheckInterval < TimeSpan.FromSeconds(1)
            // Each /readyz probe past this asks LlamaCloud again: below a second, probes would spend the API's rate limit.
            ? ValidateOptionsResult.Fail($"{HealthOptions.SectionName}:ApiCheckInterval: {options.ApiCheckInterval} must be at least a second")
            : ValidateOptionsResult.Success;
}

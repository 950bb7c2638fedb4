using BatchOrchestrator.Core.Validation;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>Checks "LlamaCloud:CircuitBreaker" against what Polly's breaker accepts, naming each key at fault.</summary>
internal sealed class CircuitBreakerOptionsValidator : IValidateOptions<CircuitBreakerOptions>
{
    public ValidateOptionsResult Validate(string? name, CircuitBreakerOptions options)
    {
        var failures = new List<string>();
        const string Section = CircuitBreakerOptions.SectionName;
        if (options.FailureRatio is <= 0 or > 1)
        {
            failures.Add($"{Section}:FailureRatio: {options.FailureRatio} must be above 0 and at most 1");
        }

        if (options.MinimumThroughput < 2)
        {
            failures.Add($"{Section}:MinimumThroughput: {options.MinimumThroughput} must be at least 2");
        }

        if (options.SamplingDuration < TimeSpan.FromMilliseconds(500) || options.SamplingDuration > TimeSpan.FromDays(1))
        {
            failures.Add($"{Section}:SamplingDuration: {options.SamplingDuration} must be from 0.5 s to a day");
        }

        if (options.BreakDuration < TimeSpan.FromMilliseconds(500) || options.BreakDuration > TimeSpan.FromDays(1))
        {
            failures.Add($"{Section}:BreakDuration: {options.BreakDuration} must be from 0.5 s to a day");
        }

        return failures.ToResult();
    }
}

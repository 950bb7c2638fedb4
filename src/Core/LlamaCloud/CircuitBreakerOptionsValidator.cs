using BatchOrchestrator.Core.Validation;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>Checks "LlamaCloud:CircuitBreaker" against what Polly's breaker accepts, naming each key at fault.</summary>
internal sealed class CircuitBreakerOptionsValidator : OptionsValidator<CircuitBreakerOptions>
{
    protected override void Check(CircuitBreakerOptions options, List<string> failures)
    {
        const string Section = CircuitBreakerOptions.SectionName;
        if (options.FailureRatio is <= 0 or > 1)
        {
            failures.Add($"{Section}:FailureRatio: {options.FailureRatio} must be above 0 and at most 1");
        }

        if (options.MinimumThroughput < 2)
        {
            failures.Add($"{Section}:MinimumThroughput: {options.MinimumThroughput} must be at least 2");
        }

        failures.AddUnlessWithin($"{Section}:SamplingDuration", options.SamplingDuration, TimeSpan.FromMilliseconds(500), TimeSpan.FromDays(1), "from 0.5 s to a day");
        failures.AddUnlessWithin($"{Section}:BreakDuration", options.BreakDuration, TimeSpan.FromMilliseconds(500), TimeSpan.FromDays(1), "from 0.5 s to a day");
    }
}

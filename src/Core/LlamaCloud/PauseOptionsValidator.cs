using BatchOrchestrator.Core.Validation;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>Checks "LlamaCloud:Pauses", naming each key at fault.</summary>
internal sealed class PauseOptionsValidator : IValidateOptions<PauseOptions>
{
    public ValidateOptionsResult Validate(string? name, PauseOptions options)
    {
        var failures = new List<string>();
        const string Section = PauseOptions.SectionName;
        if (options.CreditProbeInterval < TimeSpan.FromMilliseconds(100) || options.CreditProbeInterval > TimeSpan.FromDays(1))
        {
            failures.Add($"{Section}:CreditProbeInterval: {options.CreditProbeInterval} must be from 0.1 s to a day");
        }

        if (options.CacheFor < TimeSpan.Zero || options.CacheFor > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{Section}:CacheFor: {options.CacheFor} must be from 0 to 5 minutes");
        }

        if (options.PollDelay <= TimeSpan.Zero || options.PollDelay > TimeSpan.FromDays(1))
        {
            failures.Add($"{Section}:PollDelay: {options.PollDelay} must be positive and at most a day");
        }

        return failures.ToResult();
    }
}

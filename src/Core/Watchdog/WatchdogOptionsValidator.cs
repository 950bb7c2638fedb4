using BatchOrchestrator.Core.Validation;

namespace BatchOrchestrator.Core.Watchdog;

/// <summary>Checks the "Watchdog" section.</summary>
internal sealed class WatchdogOptionsValidator : IValidateOptions<WatchdogOptions>
{
    public ValidateOptionsResult Validate(string? name, WatchdogOptions options)
    {
        var failures = new List<string>();
        if (options.StuckAfter < TimeSpan.FromSeconds(1))
        {
            failures.Add("Watchdog:StuckAfter: must be at least a second");
        }

        if (options.JobStuckAfter < TimeSpan.FromSeconds(1))
        {
            failures.Add("Watchdog:JobStuckAfter: must be at least a second");
        }

        return failures.ToResult();
    }
}

using BatchOrchestrator.Core.Validation;

namespace BatchOrchestrator.Core.Watchdog;

/// <summary>Checks the "Watchdog" section.</summary>
internal sealed class WatchdogOptionsValidator : OptionsValidator<WatchdogOptions>
{
    protected override void Check(WatchdogOptions options, List<string> failures)
    {
        if (options.StuckAfter < TimeSpan.FromSeconds(1))
        {
            failures.Add("Watchdog:StuckAfter: must be at least a second");
        }

        if (options.JobStuckAfter < TimeSpan.FromSeconds(1))
        {
            failures.Add("Watchdog:JobStuckAfter: must be at least a second");
        }
    }
}

using BatchOrchestrator.Core.Validation;

namespace BatchOrchestrator.Core.Batches;

/// <summary>Checks the "Polling" section.</summary>
internal sealed class PollingOptionsValidator : OptionsValidator<PollingOptions>
{
    protected override void Check(PollingOptions options, List<string> failures)
    {
        if (options.Interval < TimeSpan.FromMilliseconds(100) || options.Interval > TimeSpan.FromMinutes(10))
        {
            failures.Add($"Polling:Interval: {options.Interval} must be between 100 ms and 10 minutes");
        }

        if (options.IdleCheckInterval < options.Interval)
        {
            failures.Add($"Polling:IdleCheckInterval: {options.IdleCheckInterval} must not be shorter than Polling:Interval ({options.Interval})");
        }
        else if (options.IdleCheckInterval > TimeSpan.FromDays(1))
        {
            // It times a wait: .NET's timers refuse one of more than 49.7 days, stopping the host with no key named.
            failures.Add($"Polling:IdleCheckInterval: {options.IdleCheckInterval} must be at most a day (1.00:00:00)");
        }

        if (options.InitialDelay <= TimeSpan.Zero)
        {
            failures.Add("Polling:InitialDelay: must be positive");
        }

        if (options.MaxDelay < options.InitialDelay)
        {
            failures.Add("Polling:MaxDelay: must not be shorter than Polling:InitialDelay");
        }

        if (options.ThrottledDelay <= TimeSpan.Zero)
        {
            failures.Add("Polling:ThrottledDelay: must be positive");
        }

        failures.AddUnlessBetween("Polling:MaxConcurrency", options.MaxConcurrency, 1, 64);

        if (options.MaxBatchesPerTick < 1)
        {
            failures.Add("Polling:MaxBatchesPerTick: must be at least 1");
        }

        if (options.ClaimTimeout < TimeSpan.FromSeconds(1))
        {
            failures.Add("Polling:ClaimTimeout: must be at least a second");
        }

        if (options.StalledAfter < TimeSpan.FromSeconds(1))
        {
            failures.Add("Polling:StalledAfter: must be at least a second");
        }

        failures.AddUnlessWithin("Polling:HoldTickFor", options.HoldTickFor, TimeSpan.Zero, TimeSpan.FromMinutes(10), "0 to 10 minutes");
        failures.AddUnlessWithin("Polling:HoldTickAtMost", options.HoldTickAtMost, TimeSpan.Zero, TimeSpan.FromHours(1), "0 to an hour");
    }
}

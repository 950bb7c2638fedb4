using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Core.Validation;

namespace BatchOrchestrator.Core.Cleanup;

/// <summary>Checks the <c>RemoteCleanup</c> section, naming each bad key.</summary>
internal sealed class RemoteCleanupOptionsValidator : OptionsValidator<RemoteCleanupOptions>
{
    protected override void Check(RemoteCleanupOptions options, List<string> failures)
    {
        if (Retention.Validate(options.Retention, "RemoteCleanup:Retention") is { } retention)
        {
            failures.Add(retention);
        }

        if (PollingCron.FromInterval(options.Interval) is null)
        {
            failures.Add($"RemoteCleanup:Interval: {options.Interval} must divide a minute (1-59 s) or an hour (whole minutes)");
        }

        failures.AddUnlessBetween("RemoteCleanup:MaxDeletesPerRun", options.MaxDeletesPerRun, 1, 100_000);

        if (options.MaxRunTime <= TimeSpan.Zero || options.MaxRunTime > TimeSpan.FromHours(1))
        {
            failures.Add($"RemoteCleanup:MaxRunTime: {options.MaxRunTime} must be positive and at most an hour");
        }
    }
}

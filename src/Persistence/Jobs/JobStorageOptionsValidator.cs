using BatchOrchestrator.Core.Validation;

namespace BatchOrchestrator.Persistence.Jobs;

/// <summary>Checks the "Hangfire:Storage" section.</summary>
internal sealed class JobStorageOptionsValidator : OptionsValidator<JobStorageOptions>
{
    public const string Section = "Hangfire:Storage";

    protected override void Check(JobStorageOptions options, List<string> failures)
    {
        if (options.QueuePollInterval <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:QueuePollInterval: {options.QueuePollInterval} must be positive");
        }

        // A job is handed to another worker once this passes without word from it; under a second every
        // job that takes a moment would run twice.
        if (options.InvisibilityTimeout < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{Section}:InvisibilityTimeout: {options.InvisibilityTimeout} must be at least a second");
        }

        if (options.DistributedLockTimeout < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{Section}:DistributedLockTimeout: {options.DistributedLockTimeout} must be at least a second");
        }
    }
}

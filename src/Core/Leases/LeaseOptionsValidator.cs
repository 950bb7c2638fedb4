namespace BatchOrchestrator.Core.Leases;

/// <summary>Checks the "Leases" section.</summary>
internal sealed class LeaseOptionsValidator : IValidateOptions<LeaseOptions>
{
    public ValidateOptionsResult Validate(string? name, LeaseOptions options)
    {
        // A holder renews every third of the time to live: below a second it would spend its time renewing,
        // and at zero every lease would be expired the moment it was taken, so two holders could work at once.
        // Above an hour a crashed holder's batch would wait that long for another worker, unseen.
        return options.TimeToLive < TimeSpan.FromSeconds(1) || options.TimeToLive > TimeSpan.FromHours(1)
            ? ValidateOptionsResult.Fail($"Leases:TimeToLive: {options.TimeToLive} must be from a second to an hour")
            : ValidateOptionsResult.Success;
    }
}

using BatchOrchestrator.Core.Validation;

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>Checks "LlamaCloud:UploadRateLimit".</summary>
internal sealed class UploadRateLimitOptionsValidator : OptionsValidator<UploadRateLimitOptions>
{
    private const string Key = "LlamaCloud:UploadRateLimit";

    protected override void Check(UploadRateLimitOptions options, List<string> failures)
    {
        if (options.PermitLimit < 0)
        {
            failures.Add($"{Key}:PermitLimit: {options.PermitLimit} must be 0 (off) or more");
        }

        if (options.Window <= TimeSpan.Zero)
        {
            failures.Add($"{Key}:Window: must be positive");
        }

        failures.AddUnlessBetween($"{Key}:Headroom", options.Headroom, 0.5, 1);
        failures.AddUnlessBetween($"{Key}:ThrottledFactor", options.ThrottledFactor, 0.1, 1);

        if (options.ThrottledFor < TimeSpan.Zero)
        {
            failures.Add($"{Key}:ThrottledFor: must not be negative");
        }
    }
}

namespace BatchOrchestrator.Core.LlamaCloud;

/// <summary>Checks "LlamaCloud:UploadRateLimit".</summary>
internal sealed class UploadRateLimitOptionsValidator : IValidateOptions<UploadRateLimitOptions>
{
    private const string Key = "LlamaCloud:UploadRateLimit";

    public ValidateOptionsResult Validate(string? name, UploadRateLimitOptions options)
    {
        var failures = new List<string>();
        if (options.PermitLimit < 0)
        {
            failures.Add($"{Key}:PermitLimit: {options.PermitLimit} must be 0 (off) or more");
        }

        if (options.Window <= TimeSpan.Zero)
        {
            failures.Add($"{Key}:Window: must be positive");
        }

        if (options.Headroom is < 0.5 or > 1)
        {
            failures.Add($"{Key}:Headroom: {options.Headroom} must be between 0.5 and 1");
        }

        if (options.ThrottledFactor is < 0.1 or > 1)
        {
            failures.Add($"{Key}:ThrottledFactor: {options.ThrottledFactor} must be between 0.1 and 1");
        }

        if (options.ThrottledFor < TimeSpan.Zero)
        {
            failures.Add($"{Key}:ThrottledFor: must not be negative");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

using BatchOrchestrator.Core.Validation;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Watching;

/// <summary>Checks the "Watching" section.</summary>
internal sealed class WatchOptionsValidator : IValidateOptions<WatchOptions>
{
    public const string Section = "Watching";

    public ValidateOptionsResult Validate(string? name, WatchOptions options)
    {
        var failures = new List<string>();
        if (options.Debounce <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:Debounce: {options.Debounce} must be positive (a run per file event would follow otherwise)");
        }

        if (options.MaxDelay < options.Debounce)
        {
            failures.Add($"{Section}:MaxDelay: {options.MaxDelay} must not be shorter than {Section}:Debounce ({options.Debounce})");
        }

        return failures.ToResult();
    }
}

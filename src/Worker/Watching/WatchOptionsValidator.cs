using BatchOrchestrator.Core.Validation;

namespace BatchOrchestrator.Worker.Watching;

/// <summary>Checks the "Watching" section.</summary>
internal sealed class WatchOptionsValidator : OptionsValidator<WatchOptions>
{
    public const string Section = "Watching";

    protected override void Check(WatchOptions options, List<string> failures)
    {
        if (options.Debounce <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:Debounce: {options.Debounce} must be positive (a run per file event would follow otherwise)");
        }

        if (options.MaxDelay < options.Debounce)
        {
            failures.Add($"{Section}:MaxDelay: {options.MaxDelay} must not be shorter than {Section}:Debounce ({options.Debounce})");
        }

        // Its timer takes at most about 49 days; beyond a day a folder deleted and made again would go unwatched that long.
        if (options.FolderCheck <= TimeSpan.Zero || options.FolderCheck > TimeSpan.FromDays(1))
        {
            failures.Add($"{Section}:FolderCheck: {options.FolderCheck} must be positive and at most a day");
        }
    }
}

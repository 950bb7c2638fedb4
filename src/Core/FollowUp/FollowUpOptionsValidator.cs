using Microsoft.Extensions.Configuration;

namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// Checks the "FollowUp" section and every sink name a source asks for against the sinks registered.
/// Source sink names are read from configuration directly, so a bad source setting is reported here
/// by its key without tying this validation to the Sources section's own.
/// </summary>
internal sealed class FollowUpOptionsValidator(IEnumerable<IFollowUpSink> sinks, IConfiguration configuration) : IValidateOptions<FollowUpOptions>
{
    public ValidateOptionsResult Validate(string? name, FollowUpOptions options)
    {
        var failures = new List<string>();
        var known = sinks.Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var knownList = string.Join(", ", known.Order(StringComparer.Ordinal));
        for (var i = 0; i < options.Sinks.Count; i++)
        {
            if (!known.Contains(options.Sinks[i]))
            {
                failures.Add($"FollowUp:Sinks:{i}: '{options.Sinks[i]}' is not a registered sink ({knownList})");
            }
        }

        foreach (var source in configuration.GetSection("Sources").GetChildren())
        {
            foreach (var sink in source.GetSection("FollowUpSinks").GetChildren())
            {
                if (!known.Contains(sink.Value ?? ""))
                {
                    failures.Add($"Sources:{source.Key}:FollowUpSinks:{sink.Key}: '{sink.Value}' is not a registered sink ({knownList})");
                }
            }
        }

        if (options.MaxConcurrency is < 1 or > 64)
        {
            failures.Add($"FollowUp:MaxConcurrency: {options.MaxConcurrency} must be between 1 and 64");
        }

        if (options.StatusPageSize is < 1 or > 1_000)
        {
            failures.Add($"FollowUp:StatusPageSize: {options.StatusPageSize} must be between 1 and 1000");
        }

        if (options.ChunkSize is < 1 or > 1_000)
        {
            failures.Add($"FollowUp:ChunkSize: {options.ChunkSize} must be between 1 and 1000");
        }

        if (options.RecheckDelay <= TimeSpan.Zero)
        {
            failures.Add("FollowUp:RecheckDelay: must be positive");
        }

        if (options.MaxRecheckDelay < options.RecheckDelay)
        {
            failures.Add("FollowUp:MaxRecheckDelay: must not be shorter than FollowUp:RecheckDelay");
        }

        if (options.MaxAttempts is < 1 or > 100)
        {
            failures.Add($"FollowUp:MaxAttempts: {options.MaxAttempts} must be between 1 and 100");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

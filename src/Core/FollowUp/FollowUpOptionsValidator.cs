using BatchOrchestrator.Core.Validation;
using Microsoft.Extensions.Configuration;

namespace BatchOrchestrator.Core.FollowUp;

/// <summary>
/// Checks the "FollowUp" section and every sink name a source asks for against the sinks registered.
/// Source sink names are read from configuration directly, so a bad source setting is reported here
/// by its key without tying this validation to the Sources section's own.
/// </summary>
internal sealed class FollowUpOptionsValidator(IEnumerable<IFollowUpSink> sinks, IConfiguration configuration) : OptionsValidator<FollowUpOptions>
{
    protected override void Check(FollowUpOptions options, List<string> failures)
    {
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

        failures.AddUnlessBetween("FollowUp:MaxConcurrency", options.MaxConcurrency, 1, 64);
        failures.AddUnlessBetween("FollowUp:StatusPageSize", options.StatusPageSize, 1, 1_000);
        failures.AddUnlessBetween("FollowUp:ChunkSize", options.ChunkSize, 1, 1_000);

        if (options.RecheckDelay <= TimeSpan.Zero)
        {
            failures.Add("FollowUp:RecheckDelay: must be positive");
        }

        if (options.MaxRecheckDelay < options.RecheckDelay)
        {
            failures.Add("FollowUp:MaxRecheckDelay: must not be shorter than FollowUp:RecheckDelay");
        }

        failures.AddUnlessBetween("FollowUp:MaxAttempts", options.MaxAttempts, 1, 100);
        failures.AddUnlessWithin("FollowUp:HoldFor", options.HoldFor, TimeSpan.Zero, TimeSpan.FromMinutes(10), "0 to 10 minutes");
        failures.AddUnlessWithin("FollowUp:HoldAtMost", options.HoldAtMost, TimeSpan.Zero, TimeSpan.FromMinutes(30), "0 to 30 minutes");
        failures.AddUnlessBetween("FollowUp:MaxHolding", options.MaxHolding, 0, 1_000);
    }
}

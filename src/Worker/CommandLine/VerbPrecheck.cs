using BatchOrchestrator.Core.Operations;
using BatchOrchestrator.Core.Sources;

namespace BatchOrchestrator.Worker.CommandLine;

/// <summary>
/// What a verb's arguments get wrong that configuration alone tells, asked before the host starts anything: a
/// source no <c>Sources:N:Name</c> has, a reprocess filter that does not parse. Found later, by the verb itself,
/// they came after the in-process Sandbox had started and the database had been migrated, for a name mistyped.
/// The verb asks again once running (<see cref="SourcesOptions.Require"/>), with the options as bound.
/// </summary>
internal static class VerbPrecheck
{
    /// <summary>The usage error in the verb's words, or null when the verb may start.</summary>
    public static string? Problem(VerbOptions verb, IConfiguration configuration)
    {
        if (verb.Name is Verbs.Scan or Verbs.Plan or Verbs.Reprocess or Verbs.Retry && !string.IsNullOrWhiteSpace(verb.Target))
        {
            var names = configuration.GetSection("Sources").GetChildren().Select(s => s["Name"]).ToList();
            if (!names.Contains(verb.Target, StringComparer.Ordinal))
            {
                return SourcesOptions.NoSuchSource(verb.Target, names);
            }
        }

        if (verb.Name == Verbs.Reprocess)
        {
            try
            {
                ReprocessFilter.Parse(verb.Filter, verb.Before);
            }
            catch (ArgumentException ex)
            {
                return ex.Message;
            }
        }

        return null;
    }
}

using BatchOrchestrator.Core.LlamaCloud;
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
    /// <param name="verb">The verb and its arguments.</param>
    /// <param name="configuration">The configuration it was started with.</param>
    /// <param name="ownSandbox">Whether, given no API key, the verb would call an in-process Sandbox of its own.</param>
    public static string? Problem(VerbOptions verb, IConfiguration configuration, bool ownSandbox = false)
    {
        if (verb.Name == Verbs.CancelJobs && ownSandbox)
        {
            // Its own Sandbox knows none of the service's jobs: each cancel would answer 404, read as "ended meanwhile", and
            // the answer would say nothing was left to cancel while the jobs ran on and billed (a key given to the service
            // alone, as the systemd unit gives it, is not the shell's).
            return "no LlamaCloud API key is given to this command, so it would ask an in-process Sandbox of its own, which knows "
                + $"none of the service's jobs; give it the key the service uses ({LlamaCloudKey.ApiKeyVariable}, or --LlamaCloud:ApiKeyFile=<file>), "
                + "or press 'Cancel stuck jobs' on the batch's dashboard page";
        }

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

using BatchOrchestrator.Persistence.Sources;

namespace BatchOrchestrator.Persistence.Monitoring;

/// <summary>
/// Results delivered without pages LlamaCloud failed to process, while each is its file's latest and the file is in the
/// folder: what "Needs a person" lists as <c>partial-results</c> and the <c>partial_results</c> gauge counts, one rule
/// for both.
/// </summary>
internal static class PartialResults
{
    /// <summary>From <c>batch_result br</c> to its file version <c>fv</c>, while the result is of the version's own job.</summary>
    public const string JoinVersion = "join orchestrator.file_version fv on fv.id = br.file_version_id and fv.job_id = br.job_id";

    /// <summary>The condition on <c>br</c> and <c>fv</c>; <paramref name="followedUp"/> is the number of the FollowedUp state's parameter.</summary>
    public static string Condition(int followedUp) =>
        $"br.failed_pages is not null and br.follow_up_state = ${followedUp} and {InTheFolderNow.Condition}";
}

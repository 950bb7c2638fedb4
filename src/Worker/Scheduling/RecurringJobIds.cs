namespace BatchOrchestrator.Worker.Scheduling;

/// <summary>Stable, kebab-case ids of the recurring jobs (they are keys in Hangfire's storage).</summary>
internal static class RecurringJobIds
{
    public const string PollBatches = "poll-batches";
    public const string CleanRemote = "clean-remote";
    public const string SourcePrefix = "run-source-";

    public static string RunSource(string source) => SourcePrefix + source.ToLowerInvariant();
}

using System.Globalization;
using BatchOrchestrator.Core.LlamaCloud;
using BatchOrchestrator.Persistence.Monitoring;

namespace BatchOrchestrator.Worker.Dashboard;

/// <summary>
/// What each kind of "needs a person" row (<see cref="AttentionQueries"/>) means in words, and the page
/// whose button acts on it. A kind added to the query gets its line here; a test checks every kind has one.
/// </summary>
internal static class AttentionCatalogue
{
    /// <summary><paramref name="Command"/>: the command-line verb that acts on it, for <c>status</c>; null where only a page can.</summary>
    public sealed record Item(string Text, string LinkLabel, string LinkPath, string? Command = null);

    private static readonly Dictionary<string, Func<Row, Item>> Kinds = new(StringComparer.Ordinal)
    {
        ["stuck-batch"] = r => new(
            $"Batch {r.Batch} of {r.Source} is stuck: still {r.Detail} (Watchdog:StuckAfter).",
            "Open batches (Cancel)", $"/ops/batches?source={r.SourceQuery}&open=1", $"cancel batch {r.Batch}"),
        ["stuck-jobs"] = r => r.Detail == BatchJobTypes.V1Classify
            ? new(
                $"{Count(r.Count, "job reference", "job references")} of v1_classify batch {r.Batch} ({r.Source}) {(r.Count == 1 ? "still has" : "still have")} no fetched result (Watchdog:JobStuckAfter): "
                + "the follow-up keeps looking. A classifier job cannot be cancelled from here ('cancel jobs' leaves it alone).",
                "Its files", $"/ops/files?batch={r.Batch}")
            : new(
                $"{Count(r.Count, "job reference", "job references")} of batch {r.Batch} ({r.Source}) {(r.Count == 1 ? "still has" : "still have")} no fetched result (Watchdog:JobStuckAfter): "
                + "the follow-up keeps looking. To give up on them, cancel them: their files are sent again.",
                "Its files", $"/ops/files?batch={r.Batch}", $"cancel jobs {r.Batch}"),
        ["follow-ups-failed"] = r => new(
            $"{Count(r.Count, "result", "results")} of batch {r.Batch} ({r.Source}) could not be delivered to every sink{Reason(r.Detail)}.",
            "Batches of its run (Retry follow-ups)", $"/ops/batches?run={r.Run}"),
        ["partial-results"] = r => new(
            $"{Count(r.Count, "result", "results")} of batch {r.Batch} ({r.Source}) {(r.Count == 1 ? "was" : "were")} delivered without pages LlamaCloud failed to process{Reason(r.Detail)}. "
            + "Each file's .json says which pages (\"partial\"); its .md has the rest. If those pages matter, check the file (a damaged or unreadable page) and save it again: a changed file is sent again, and billed again.",
            "Its files", $"/ops/files?batch={r.Batch}"),
        ["permanent-failures"] = r => new(
            $"{Count(r.Count, "file", "files")} of {r.Source} failed permanently (unsupported, corrupt, protected or too large){Reason(r.Detail)}: fix them, then retry them from their page.",
            "Failed files", $"/ops/files?source={r.SourceQuery}&state=Failed", $"retry {r.Source} --failed --permanent"),
        ["unconfirmed-batch"] = r => new(
            $"Batch {r.Batch} of {r.Source} may have been created at LlamaCloud, and may be billing its {Count(r.Count, "file", "files")}{Reason(r.Detail)}. "
            + "Look for it there and cancel it or let it finish; then the command says it was looked for, and sends again what the batch was for "
            + "(its files still in the folder, or a RemoteOnly source's directory: paid again). Until then a RemoteOnly source plans no batch over its directory, nor a mirror while these files are in its folder.",
            "Its files", $"/ops/files?batch={r.Batch}", $"retry {r.Source} --failed --unconfirmed {r.Batch}"),
        ["auth-failures"] = r => new(
            $"{Count(r.Count, "file", "files")} of {r.Source} failed because LlamaCloud refused the API key: fix the key, then Retry failed.",
            "Sources (Retry failed)", "/ops/sources", $"retry {r.Source} --failed"),
        ["retries-used-up"] = r => new(
            $"{Count(r.Count, "file", "files")} of {r.Source} failed for a passing reason (LlamaCloud out or busy) on every try its MaxAttempts allows{Reason(r.Detail)}: "
            + "no run takes them again by itself. Once the cause is gone, Retry failed.",
            "Sources (Retry failed)", "/ops/sources", $"retry {r.Source} --failed"),
        ["last-run-failed"] = r => new(
            $"The last run of {r.Source} (run {r.Run}) failed{Reason(r.Detail)}.",
            "Its runs (Run now on Sources)", $"/ops/runs?source={r.SourceQuery}", $"retry {r.Source}"),
        ["patterns-took-none"] = r => new(
            $"The latest scan of {r.Source} (run {r.Run}) took {(r.Count == 1 ? "not the one file" : $"none of the {r.Count} files")} in its folder: its Include/Exclude patterns left out every one, "
            + "so its runs find no changes. Check them against the names there (matched case-sensitively, docs/sources.md).",
            "Its runs", $"/ops/runs?source={r.SourceQuery}"),
        ["webhooks-missed"] = r => new(
            $"{Count(r.Count, "batch", "batches")} of {r.Source} ended without the webhook announcing it (latest: batch {r.Batch}): is LlamaCloud still reaching Webhooks:PublicUrl? Polling recorded them.",
            "Its batches", $"/ops/batches?source={r.SourceQuery}"),
        ["older-configuration"] = r => new(
            $"{Count(r.Count, "file", "files")} of {r.Source} {(r.Count == 1 ? "was" : "were")} processed under an older configuration than its current one ({r.Detail}).",
            "Preview a reprocess", $"/ops/reprocess/{r.SourceQuery}", $"reprocess {r.Source} --dry-run"),
        ["held-by-cap"] = r => new(
            $"{Count(r.Count, "file", "files")} of {r.Source} {(r.Count == 1 ? "is" : "are")} held by a spending cap{Reason(r.Detail)}. Approve them to send them now (their cost still counts), or raise the cap in Costs:Caps.",
            "Costs (Approve)", "/ops/costs", r.Run is { } run ? $"approve {run}" : "approve <run>, for each run 'costs' lists"),
        ["results-undelivered"] = r => new(
            $"{Count(r.Count, "result", "results")} of {r.Source}'s latest batch {r.Batch} reached no sink: a RemoteOnly source's files (directory {r.Detail}) are LlamaCloud's, and no file of ours names them. "
            + "Their job references are recorded; a run sends the directory again only once its files changed.",
            "Its batches", $"/ops/batches?source={r.SourceQuery}"),
        ["project-paused"] = r => new(
            $"LlamaCloud project {r.Source} is paused ({r.Detail}): new uploads, batch creates and follow-ups wait, nothing is failed, and work resumes by itself once a probe succeeds (docs/resilience.md).",
            "Sources (paused projects)", "/ops/sources"),
    };

    public static IReadOnlyCollection<string> Known => Kinds.Keys;

    public static IEnumerable<(Item Item, object? Since)> Describe(OpsTable table) =>
        table.Rows.Select(row =>
        {
            var r = new Row(
                (string)table.Value(row, "Kind")!,
                (string)table.Value(row, "Source")!,
                table.Value(row, "Batch") as long?,
                table.Value(row, "Run") as long?,
                Convert.ToInt64(table.Value(row, "Count") ?? 0L, CultureInfo.InvariantCulture),
                table.Value(row, "Detail") as string);
            var item = Kinds.TryGetValue(r.Kind, out var describe)
                ? describe(r)
                : new Item($"{r.Kind}: {r.Count} in {r.Source}", "Sources", "/ops/sources");
            return (item, table.Value(row, "Since"));
        });

    /// <summary>The column of <see cref="AsTable"/> that says what is wrong: read whole, never cut short.</summary>
    public static readonly IReadOnlySet<string> Sentence = new HashSet<string>(StringComparer.Ordinal) { "Needs a person" };

    /// <summary>The same items as a table for the command line: since when, what, the verb that acts on it, and the page.</summary>
    public static OpsTable AsTable(OpsTable attention, string dashboardPath) => new(
        ["Since", "Needs a person", "Command", "Dashboard"],
        [.. Describe(attention).Select(d => new object?[] { d.Since, d.Item.Text, d.Item.Command, dashboardPath + d.Item.LinkPath })]);

    // "1 file", "3 files": what an operator reads first should not stumble on its own number.
    private static string Count(long count, string one, string many) => count == 1 ? $"1 {one}" : $"{count} {many}";

    private static string Reason(string? detail) => string.IsNullOrWhiteSpace(detail) ? "" : $": {ShownText.Cut(detail, OpsCell.MaxShown)}";

    private sealed record Row(string Kind, string Source, long? Batch, long? Run, long Count, string? Detail)
    {
        public string SourceQuery => Uri.EscapeDataString(Source);
    }
}

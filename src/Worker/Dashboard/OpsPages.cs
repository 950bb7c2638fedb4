using System.Globalization;
using System.Text.RegularExpressions;
using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.Sources;
using BatchOrchestrator.Persistence.Monitoring;
using BatchOrchestrator.Worker.Pauses;
using BatchOrchestrator.Worker.Scheduling;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.Options;

namespace BatchOrchestrator.Worker.Dashboard;

/// <summary>
/// Builds our four pages and the file page from <see cref="OpsQueries"/>. Which columns a page shows
/// is decided by its query; this only picks the query, its filters and the buttons of each row.
/// </summary>
internal static class OpsPages
{
    private const int PageSize = 200;
    private static readonly string[] EndedRunStates = ["Completed", "NoChanges", "Failed"];
    private static readonly string[] EndedBatchStates = ["ResultsRecorded", "Completed", "Failed", "Cancelled"];

    public static async Task<OpsPage> SourcesAsync(HttpContext http, Match match, bool readOnly)
    {
        var configured = http.RequestServices.GetRequiredService<IOptionsMonitor<SourcesOptions>>().CurrentValue.Sources;
        var table = await Queries(http).SourcesAsync(OverviewPages.Configured(http), http.RequestAborted);
        var schedules = NextRuns(http.RequestServices.GetRequiredService<JobStorage>());
        var byName = configured.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var pauses = await PauseTable.ReadAsync(http.RequestServices, http.RequestAborted);
        var scopes = http.RequestServices.GetRequiredService<ProjectScopes>();
        string? Paused(string source)
        {
            var project = scopes.For(byName[source]).Key;
            var reasons = pauses.Rows.Where(r => Equals(r[0], project)).Select(r => $"{r[1]} since {OpsCell.Text(r[2])}").ToList();
            return reasons.Count == 0 ? null : string.Join("; ", reasons);
        }

        table = table
            // Read in the source's TimeZone, as the start-up log says it: cron fields alone read as UTC, or as the reader's zone.
            .With("Schedule", row => $"{byName[(string)row[0]!].Schedule} ({byName[(string)row[0]!].TimeZone})", position: 1)
            .With("Next run", row => schedules.GetValueOrDefault(RecurringJobIds.RunSource((string)row[0]!)), position: 2)
            .With("LlamaCloud project", row => scopes.For(byName[(string)row[0]!]).Key, position: 3)
            .With("Project paused", row => Paused((string)row[0]!), position: 4);
        var section = new OpsSection("Sources", table, row =>
        {
            var name = Uri.EscapeDataString((string)row[0]!);
            return [new OpsAction("Run now", $"/ops/actions/run/{name}"), new OpsAction("Retry failed", $"/ops/actions/retry/{name}")];
        }, "No sources are configured.")
        {
            // Reprocessing is never a one-click POST: it goes through its preview, which says how many files and what it costs.
            Links = row => table.Value(row, "Under an older configuration") is long stale and > 0
                ? [new OpsAction("Preview a reprocess", $"/ops/reprocess/{Uri.EscapeDataString((string)row[0]!)}")]
                : [],
        };
        // Of the configured sources, as 'Files set aside' above counts them: a removed source's are history no scan clears.
        var setAside = await Queries(http).ProblemsAsync(source: null, path: null, PageSize + 1, http.RequestAborted, [.. configured.Select(s => s.Name)]);
        var problems = new OpsSection(
            "Files set aside by the scanner",
            setAside.Rows.Count > PageSize ? setAside.Take(PageSize) : setAside,
            Empty: "None: every file the scanner found was taken.")
        {
            Note = setAside.Rows.Count > PageSize
                ? $"Showing the {PageSize} most recently seen; there are more ('Files set aside' above counts each source's). A file's own page says why it was set aside."
                : null,
        };
        var paused = new OpsSection(PauseTable.Heading, pauses, Empty: PauseTable.Empty);
        return new OpsPage(
            "Sources",
            [paused, section, problems],
            readOnly,
            intro: "Paused LlamaCloud projects first (nothing is failed while paused; work resumes by itself); then each configured folder: its schedule, its last run and its files by state; below, files the scanner could not take and why.");
    }

    public static async Task<OpsPage> RunsAsync(HttpContext http, Match match, bool readOnly)
    {
        var source = Query(http, "source");
        var (table, note) = Capped(await Queries(http).RunsAsync(source, PageSize + 1, http.RequestAborted), "runs", "a source (from the Sources page)");
        var section = new OpsSection("Runs", table, row =>
            EndedRunStates.Contains(table.Value(row, "State") as string)
                ? []
                : [new OpsAction("Cancel", $"/ops/actions/cancel-run/{OpsCell.Text(row[0])}", "Cancel every batch of this run that has not ended?")],
            "No runs yet.") { Note = note };
        return new OpsPage(source is null ? "Runs" : $"Runs of {source}", [section], readOnly, intro: "Newest first. Progress counts the files of the run's batches that have ended.");
    }

    public static async Task<OpsPage> BatchesAsync(HttpContext http, Match match, bool readOnly)
    {
        if (!TryId(http, "run", out var run))
        {
            return NotAnId("Batches", "run", readOnly, http);
        }

        var source = Query(http, "source");
        var openOnly = Query(http, "open") == "1";
        var (table, note) = Capped(await Queries(http).BatchesAsync(run, source, openOnly, PageSize + 1, http.RequestAborted), "batches", "a run, or open batches only");
        table = table.WithoutEmpty(OpsQueries.BatchesHiddenWhileEmpty);
        var section = new OpsSection("Batches", table, row =>
        {
            var batchId = OpsCell.Text(row[0]);
            var actions = new List<OpsAction>();
            if (!EndedBatchStates.Contains(table.Value(row, "State") as string))
            {
                actions.Add(new OpsAction("Cancel", $"/ops/actions/cancel-batch/{batchId}", "Cancel this batch? Files already processed keep their results."));
            }

            // Offered while one of its stuck jobs can be cancelled: a classifier's job, or one without a job id, cannot be.
            if (table.Value(row, "Stuck jobs") is long stuckJobs && stuckJobs > (table.Value(row, "Stuck, cannot cancel") as long? ?? 0))
            {
                actions.Add(new OpsAction(
                    "Cancel stuck jobs", $"/ops/actions/cancel-jobs/{batchId}", "Cancel this batch's stuck jobs at LlamaCloud? Their files are sent again."));
            }

            if (table.Value(row, "Follow-ups failed") is long failedFollowUps && failedFollowUps > 0)
            {
                actions.Add(new OpsAction("Retry follow-ups", $"/ops/actions/retry-follow-ups/{batchId}"));
            }

            return actions;
        }, openOnly ? "No open batches." : "No batches yet.") { Note = note };
        var title = (run is null ? "Batches" : $"Batches of run {run}") + (source is null ? "" : $" of {source}") + (openOnly ? ", open only" : "");
        // The other filter stays as it is: "open only" of a run's batches is that run's open batches.
        var kept = (run is null ? "" : $"&run={run}") + (source is null ? "" : $"&source={Uri.EscapeDataString(source)}");
        var filter = $"<p><a href=\"{Url(http, "/ops/batches?open=1" + kept)}\">Open batches only</a> · <a href=\"{Url(http, "/ops/batches?" + kept.TrimStart('&'))}\">All</a></p>";
        return new OpsPage(title, [section], readOnly, search: filter, intro: "Newest first; Created gives each batch's age.");
    }

    public static async Task<OpsPage> FilesAsync(HttpContext http, Match match, bool readOnly)
    {
        var path = Query(http, "q");
        var source = Query(http, "source");
        if (!TryId(http, "batch", out var batch))
        {
            return NotAnId("Files", "batch", readOnly, http);
        }

        var state = Query(http, "state");
        var (found, note) = Capped(await Queries(http).FindFilesAsync(path, source, batch, PageSize + 1, http.RequestAborted, state), "files", "the search, a source or a state");
        var table = found.WithoutEmpty(OpsQueries.FilesHiddenWhileEmpty);
        // A search within what the page is narrowed to: the filters ride along with it.
        var hidden = string.Concat(new[] { ("source", source), ("state", state), ("batch", batch?.ToString(CultureInfo.InvariantCulture)) }
            .Where(f => f.Item2 is not null)
            .Select(f => $"<input type=\"hidden\" name=\"{f.Item1}\" value=\"{OpsCell.Encode(f.Item2!)}\">"));
        var form = $"""
            <form class="form-inline" method="get" action="{Url(http, "/ops/files")}" style="margin-bottom:15px">
              <input type="search" class="form-control" name="q" id="ops-file-search" placeholder="part of a path" value="{OpsCell.Encode(path ?? "")}" style="min-width:320px">
              {hidden}<button type="submit" class="btn btn-primary">Search</button>
            </form>
            """;
        var narrowed = new[]
        {
            source is null ? null : $"of {source}",
            batch is null ? null : $"of batch {batch}",
            state is null ? null : $"in state {state}",
            path is null ? null : $"whose path contains '{path}'",
        }.OfType<string>().ToList();
        var title = narrowed.Count == 0 ? "Files" : "Files " + string.Join(", ", narrowed);
        var empty = narrowed.Count == 0 ? "No files yet."
            : state is not null && !Enum.TryParse<FileVersionState>(state, ignoreCase: false, out _)
                ? $"'{state}' is not a file state ({string.Join(", ", Enum.GetNames<FileVersionState>())})."
                : "No file matches: " + string.Join(", ", narrowed) + ".";
        // A file the scanner set aside (empty, too large …) has no version: searched for, it would be "no file" without them.
        var setAside = path is null || batch is not null || state is not null
            ? null
            : await Queries(http).ProblemsAsync(source, path: null, PageSize + 1, http.RequestAborted, pathContains: path);
        var sections = new List<OpsSection> { new("Files", table, Empty: empty) { Note = note } };
        if (setAside is { Rows.Count: > 0 })
        {
            sections.Add(new OpsSection("Set aside by the scanner", setAside.Rows.Count > PageSize ? setAside.Take(PageSize) : setAside)
            {
                Note = "Found in the folder but not taken, so never sent; each row says why."
                    + (setAside.Rows.Count > PageSize ? $" Showing the {PageSize} most recently seen; there are more: narrow the search to see the others." : ""),
            });
        }

        return new OpsPage(title, sections, readOnly, search: form);
    }

    public static async Task<OpsPage> FileAsync(HttpContext http, Match match, bool readOnly)
    {
        var queries = Queries(http);
        var id = long.Parse(match.Groups["id"].Value, CultureInfo.InvariantCulture);
        var identity = await queries.FileIdentityAsync(id, http.RequestAborted);
        if (identity is not var (source, path))
        {
            return new OpsPage($"File {id}", [], readOnly, intro: "No such file version.");
        }

        var ct = http.RequestAborted;
        // A report rewritten every hour has a version, a batch report and an output each time: the newest of each are shown.
        var versions = await queries.FileVersionsAsync(source, path, PageSize + 1, ct);
        var history = await queries.FileHistoryAsync(source, path, PageSize + 1, ct);
        var outputs = await queries.FileOutputsAsync(source, path, PageSize + 1, ct);
        var copies = await queries.FileCopiesAsync(source, path, PageSize + 1, ct);
        var sections = new List<OpsSection>
        {
            new("Last look by the scanner", await queries.FileLookAsync(source, path, ct), Empty: "The scanner has no record of this path."),
            new("Versions", versions.Take(PageSize)) { Note = Older(versions, "versions") },
            new("Batches and job references", history.Take(PageSize), Empty: "No batch has reported on this file yet.") { Note = Older(history, "batch reports") },
            new("Output", outputs.Take(PageSize), Empty: "No job reference yet, so no output.") { Note = Older(outputs, "job references") },
            new("Same content under other names (not sent again: each gets this file's result)", copies.Take(PageSize), Empty: "No other file has this content.")
            {
                // A blank form saved under thousands of names would make this page thousands of rows long.
                Note = copies.Rows.Count > PageSize ? $"Showing the first {PageSize} names, by path; there are more. The Files page finds any of them by part of its path." : null,
            },
            new("Set aside by the scanner", await queries.ProblemsAsync(source, path, PageSize, ct), Empty: "The scanner took this path as it is."),
        };
        var failed = versions.Rows.Where(r => versions.Value(r, "State") as string == "Failed").ToList();
        string? retry = null;
        if (failed.Count > 0 && !readOnly && http.RequestServices.GetRequiredService<IOptionsMonitor<SourcesOptions>>().CurrentValue.Find(source) is null)
        {
            // Its retry would be refused (no run takes a source nobody configures): say what would, rather than offer it.
            retry = $"<p>{OpsCell.Encode(source)} is no longer configured: put it {SourcesOptions.RemovedSourceRemedy} to retry its failed files.</p>";
        }
        else if (failed.Count > 0 && !readOnly && await queries.RetryableFailuresAsync(source, path, ct) is { WithPermanent: > 0 } retryable)
        {
            var escaped = Uri.EscapeDataString(source);
            // A permanent failure (an unsupported type, a corrupt file) is left alone by a plain retry; once the file is fixed, the
            // second button sends it again. Each is offered only where it would send this file.
            var plain = retryable.Plain > 0
                ? OpsActions.Button(Url(http, $"/ops/actions/retry/{escaped}"), $"Retry failed files of {source}", "btn-default") + " "
                : "";
            var permanent = retryable.WithPermanent > retryable.Plain
                ? OpsActions.Button(Url(http, $"/ops/actions/retry-permanent/{escaped}"), "Retry them, permanent failures too", "btn-default")
                : "";
            retry = $"<p>{plain}{permanent}</p>";
        }

        return new OpsPage(path, sections, readOnly, search: retry, intro: $"Source <a href=\"{Url(http, $"/ops/runs?source={Uri.EscapeDataString(source)}")}\">{OpsCell.Encode(source)}</a>");
    }

    private static OpsQueries Queries(HttpContext http) => http.RequestServices.GetRequiredService<OpsQueries>();

    /// <summary>A note for a table of one file's story asked for one more row than it shows: the rest is older history.</summary>
    private static string? Older(OpsTable table, string what) =>
        table.Rows.Count > PageSize ? $"Showing the newest {PageSize} {what}; there are more, older ones." : null;

    /// <summary>
    /// The first <see cref="PageSize"/> rows of a query asked for one more, and a note when there were more: a table cut
    /// short without a word reads as all there is.
    /// </summary>
    private static (OpsTable Table, string? Note) Capped(OpsTable table, string what, string narrowBy) => table.Rows.Count > PageSize
        ? (table.Take(PageSize), $"Showing the newest {PageSize} {what}; there are more. Narrow it by {narrowBy} to see the others.")
        : (table, null);

    internal static string? Query(HttpContext http, string key) =>
        http.Request.Query.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value.ToString().Trim() : null;

    internal static string Url(HttpContext http, string path) => OpsCell.Encode(http.Request.PathBase + path);

    /// <summary>An id a page is narrowed to; false when one is given that is not a whole number from 1.</summary>
    private static bool TryId(HttpContext http, string key, out long? id)
    {
        id = null;
        if (Query(http, key) is not { } text)
        {
            return true;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0)
        {
            id = value;
        }

        return id is not null;
    }

    /// <summary>
    /// A page asked for by an id that is not one says so, rather than show everything as if no id were given: an
    /// operator following a mistyped link would take the whole list for the run's or the batch's.
    /// </summary>
    private static OpsPage NotAnId(string title, string key, bool readOnly, HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        var alert = $"<div class=\"alert alert-danger\" id=\"ops-bad-filter\">{key} must be a whole number from 1, got '{OpsCell.Encode(Query(http, key) ?? "")}'.</div>";
        return new OpsPage(title, [], readOnly, search: alert);
    }

    private static Dictionary<string, DateTime?> NextRuns(JobStorage storage)
    {
        using var connection = storage.GetConnection();
        return connection.GetRecurringJobs().ToDictionary(j => j.Id, j => j.NextExecution, StringComparer.Ordinal);
    }
}

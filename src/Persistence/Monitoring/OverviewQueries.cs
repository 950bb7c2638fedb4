using static BatchOrchestrator.Persistence.Monitoring.SqlTable;

namespace BatchOrchestrator.Persistence.Monitoring;

/// <summary>
/// The overview page: per source, its last run with changes and its last 24 hours, and the series of
/// the charts over the last days. A file's outcome is what its batch reported, or its own state where the
/// batch never reported it (<see cref="Outcomes"/>), dated by when its batch ended; over a window, each file
/// counts once, by its latest outcome in it. Columns in <see cref="HiddenWhileEmpty"/> stay off the page
/// until some row has a value.
/// </summary>
internal sealed class OverviewQueries(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Columns shown only once some row is non-zero: held files exist only once caps hold some, pages and credits
    /// once something was charged (docs/operations.md).
    /// </summary>
    public static readonly IReadOnlySet<string> HiddenWhileEmpty = new HashSet<string>(StringComparer.Ordinal) { "Held", "Pages", "Credits", "Credits billed" };

    // The start of the first of the last $1 days, UTC, whatever the session's time zone.
    private const string Since = "(((now() at time zone 'utc')::date - ($1 - 1))::timestamp at time zone 'utc')";

    /// <summary>
    /// Each source's latest run that found something to do (or failed), with how its files ended and how long it took.
    /// A run whose new files a cap held back all planned no batch (NoChanges), yet it found something: it counts too.
    /// </summary>
    public Task<OpsTable> LastRunsAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken) => SqlTable.QueryAsync(dataSource, $"""
        with names as (select name, ord from unnest($1::text[]) with ordinality as n(name, ord))
        select n.name as "Source",
               r.id as "Last run",
               r.state as "State",
               r.trigger as "Trigger",
               r.started_at as "Started",
               coalesce(r.finished_at, now()) - r.started_at as "Took",
               r.new_versions as "Files in",
               o.done as "Done",
               o.failed as "Failed",
               o.skipped as "Skipped",
               (select count(*) from orchestrator.file_version fv where fv.held_run_id = r.id and fv.state = $3) as "Held",
               r.files_with_problems as "Set aside",
               r.error as "Error"
        from names n
        left join lateral (
            select * from orchestrator.run rr
            where rr.source_name = n.name
              and (rr.state <> $2 or exists (select 1 from orchestrator.file_version fv where fv.held_run_id = rr.id))
            order by rr.id desc limit 1) r on true
        left join lateral (
            select {Outcomes.Counts("f.outcome", 4)}
            from orchestrator.batch b cross join {Outcomes.OfBatch("b", 4)} f
            where b.run_id = r.id) o on r.id is not null
        order by n.ord
        """, cancellationToken, [TextArray(sources), StateParameters.Name(RunState.NoChanges), StateParameters.Name(FileVersionState.Held), .. Outcomes.Parameters()]);

    /// <summary>Each source's last 24 hours: runs, files in, outcomes, what is held or set aside now, and time spent running.</summary>
    public Task<OpsTable> LastDayAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken) => SqlTable.QueryAsync(dataSource, $"""
        with names as (select name, ord from unnest($1::text[]) with ordinality as n(name, ord)),
        runs as (
            select source_name, count(*) as runs, count(*) filter (where state = $2) as failed_runs, max(started_at) as last_looked,
                   sum(coalesce(new_versions, 0)) as files_in,
                   max(coalesce(finished_at, now()) - started_at) filter (where state <> $3) as longest,
                   sum(coalesce(finished_at, now()) - started_at) filter (where state <> $3) as busy
            from orchestrator.run where started_at > now() - interval '24 hours' and source_name = any($1)
            group by source_name),
        outcomes as (
            select f.source_name, {Outcomes.Counts("f.outcome", 5)}
            from {Outcomes.LatestPerFile("$1", "b.finished_at > now() - interval '24 hours'", 5)} f
            group by f.source_name)
        select n.name as "Source",
               coalesce(r.runs, 0) as "Runs",
               coalesce(r.failed_runs, 0) as "Runs failed",
               r.last_looked as "Last looked",
               coalesce(r.files_in, 0) as "Files in",
               coalesce(o.done, 0) as "Done",
               coalesce(o.failed, 0) as "Failed",
               coalesce(o.skipped, 0) as "Skipped",
               -- Held back by a cap: not yet in a batch, so the partial index of unassigned versions answers it.
               (select count(*) from orchestrator.file_version fv where fv.source_name = n.name and fv.batch_id is null and fv.state = $4) as "Held",
               (select count(*) from orchestrator.source_file_problem p where p.source_name = n.name) as "Set aside",
               -- Cost (docs/costs.md): pages and credits planned in the last 24 hours (billed where known, reserved
               -- otherwise, as the caps count them), and what of it LlamaCloud billed so far.
               (select sum(c.pages) from orchestrator.credit_charge c where c.source_name = n.name and c.reserved_at > now() - interval '24 hours') as "Pages",
               (select sum(coalesce(c.billed_credits, c.reserved_credits)) from orchestrator.credit_charge c where c.source_name = n.name and c.reserved_at > now() - interval '24 hours') as "Credits",
               (select sum(c.billed_credits) from orchestrator.credit_charge c where c.source_name = n.name and c.reserved_at > now() - interval '24 hours') as "Credits billed",
               r.longest as "Longest run",
               r.busy as "Time running"
        from names n
        left join runs r on r.source_name = n.name
        left join outcomes o on o.source_name = n.name
        order by n.ord
        """, cancellationToken, [TextArray(sources), StateParameters.Name(RunState.Failed), StateParameters.Name(RunState.NoChanges), StateParameters.Name(FileVersionState.Held), .. Outcomes.Parameters()]);

    /// <summary>
    /// Files per day by outcome over the last <paramref name="days"/> days (UTC days), of <paramref name="sources"/>: the
    /// configured ones, as the tables beside the chart and the gauges count them (a removed source's files are history),
    /// or the one source the page is narrowed to.
    /// </summary>
    public Task<OpsTable> DailyOutcomesAsync(int days, IReadOnlyList<string> sources, CancellationToken cancellationToken) => SqlTable.QueryAsync(dataSource, $"""
        select d.day::date as "Day", {Outcomes.Counts("o", 3, "\"Succeeded\"", "\"Failed\"", "\"Skipped\"")}
        from generate_series((now() at time zone 'utc')::date - ($1 - 1), (now() at time zone 'utc')::date, interval '1 day') d(day)
        left join (
            -- each file once a day, by its latest outcome that day
            select distinct on (1, f.file) (b.finished_at at time zone 'utc')::date as day, f.outcome as o
            from orchestrator.batch b cross join {Outcomes.OfBatch("b", 3)} f
            where b.finished_at >= {Since} and b.source_name = any($2)
            order by 1, f.file, b.finished_at desc, b.id desc) recorded
          on recorded.day = d.day::date
        group by d.day order by d.day
        """, cancellationToken, [Int(days), TextArray(sources), .. Outcomes.Parameters()]);

    /// <summary>
    /// Per day, how long runs that found work took: the median and the longest, in seconds (null on a day without such a
    /// run, which took no time rather than none), and how many there were; of <paramref name="sources"/>, as above.
    /// </summary>
    public Task<OpsTable> DailyRunDurationsAsync(int days, IReadOnlyList<string> sources, CancellationToken cancellationToken) => SqlTable.QueryAsync(dataSource, $"""
        select d.day::date as "Day",
               count(r.id) as "Runs",
               (percentile_cont(0.5) within group (order by extract(epoch from r.finished_at - r.started_at)))::float8 as "Median seconds",
               max(extract(epoch from r.finished_at - r.started_at))::float8 as "Longest seconds"
        from generate_series((now() at time zone 'utc')::date - ($1 - 1), (now() at time zone 'utc')::date, interval '1 day') d(day)
        left join orchestrator.run r
          on (r.started_at at time zone 'utc')::date = d.day::date and r.finished_at is not null and r.state <> $3
             and r.started_at >= {Since} and r.source_name = any($2)
        group by d.day order by d.day
        """, cancellationToken, Int(days), TextArray(sources), StateParameters.Name(RunState.NoChanges));
}

using System.Globalization;
using BatchOrchestrator.Core.Costs;
using BatchOrchestrator.Persistence.Planning;

namespace BatchOrchestrator.Persistence.Monitoring;

/// <summary>
/// What the Costs page, the <c>costs</c> and <c>status</c> verbs and the cost gauges read: reservations and
/// bills per source and day, the dearest files, drift, held files. Reads only.
/// </summary>
internal sealed class CostQueries(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Per source and day (by when the reservation was made): files, pages, credits estimated and billed, money, drift.
    /// The days are the Day caps' days (docs/costs.md), begun at midnight in <paramref name="zone"/> (<c>Costs:TimeZone</c>)
    /// by the same rule (CapWindows) and the database's clock, as planning reads a cap's use: a day's row is what its Day
    /// cap counted. The last <paramref name="days"/> days, today's included.
    /// </summary>
    public async Task<OpsTable> ByDayAsync(int days, decimal usdPer1000Credits, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        DateTimeOffset now;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            now = await DatabaseClock.NowAsync(connection, null, cancellationToken);
        }

        var starts = new List<DateTimeOffset> { CapWindows.Start(CapWindow.Day, now, zone)!.Value };
        while (starts.Count < days)
        {
            starts.Add(CapWindows.Start(CapWindow.Day, starts[^1].AddTicks(-1), zone)!.Value);
        }

        var names = starts.Select(s => TimeZoneInfo.ConvertTime(s, zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToArray();
        return await QueryAsync("""
            with d as (
                select day, since, lead(since) over (order by since) as until
                from unnest($3::text[], $4::timestamptz[]) as d(day, since))
            select c.source_name as "Source",
                   d.day as "Day",
                   count(*) as "Attempts",
                   sum(c.pages) as "Pages (estimated)",
                   sum(c.billed_pages) as "Pages (billed)",
                   sum(c.reserved_credits) as "Credits (estimated)",
                   sum(c.billed_credits) as "Credits (billed)",
                   round(sum(c.reserved_credits) * $2 / 1000, 2) as "USD (estimated)",
                   round(sum(c.billed_credits) * $2 / 1000, 2) as "USD (billed)",
                   count(*) filter (where c.billed_credits is null and c.settled_at is null) as "Not billed yet",
                   count(*) filter (where c.billed_credits is null and c.settled_at is not null) as "No usage reported",
                   -- of those, jobs whose bill was looked for over FollowUp:LateBillWindow and never came (docs/costs.md, "Late bills")
                   count(*) filter (where c.bill_never_came_at is not null) as "Bill never came",
                   count(distinct c.file_version_id) filter (where c.escalation) as "Escalations", -- files sent to a fallback, once each
                   count(*) filter (where c.drift is not null) as "Drift"
            from orchestrator.credit_charge c
            join d on c.reserved_at >= d.since and (d.until is null or c.reserved_at < d.until)
            where c.reserved_at >= $1
            group by 1, 2
            order by 2 desc, 1
            """,
            cancellationToken,
            new NpgsqlParameter<DateTimeOffset> { TypedValue = starts[^1] },
            new NpgsqlParameter<decimal> { TypedValue = usdPer1000Credits },
            new NpgsqlParameter<string[]> { TypedValue = names },
            new NpgsqlParameter<DateTimeOffset[]> { TypedValue = [.. starts] });
    }

    /// <summary>The file versions that cost most (billed, else estimated) over the last days, with drift.</summary>
    public Task<OpsTable> TopFilesAsync(int days, int limit, CancellationToken cancellationToken) => QueryAsync("""
        select fv.id as "File", c.source_name as "Source", fv.relative_path as "Path",
               sum(c.pages) as "Pages", string_agg(distinct c.tier, ', ') as "Tier",
               sum(c.reserved_credits) as "Credits (estimated)", sum(c.billed_credits) as "Credits (billed)",
               count(*) as "Attempts", string_agg(c.drift, '; ') as "Drift"
        from orchestrator.credit_charge c join orchestrator.file_version fv on fv.id = c.file_version_id
        where c.reserved_at >= now() - make_interval(days => $1)
        group by fv.id, c.source_name, fv.relative_path
        order by sum(coalesce(c.billed_credits, c.reserved_credits)) desc, fv.id
        limit $2
        """, cancellationToken, new NpgsqlParameter<int> { TypedValue = days }, new NpgsqlParameter<int> { TypedValue = limit });

    /// <summary>
    /// Job references flagged as drift, newest first. The job is the charge's own, its batch's result for the version: the
    /// version's current job is a later batch's once it was sent again (a mirror's every batch, a retry, a fallback).
    /// </summary>
    public Task<OpsTable> DriftAsync(int limit, CancellationToken cancellationToken) => QueryAsync("""
        select c.settled_at as "Billed", c.source_name as "Source", c.batch_id as "Batch", c.file_version_id as "File",
               fv.relative_path as "Path",
               (select r.job_id from orchestrator.batch_result r
                where r.batch_id = c.batch_id and r.file_version_id = c.file_version_id order by r.id desc limit 1) as "Job reference",
               c.tier as "Planned tier", c.billed_tier as "Billed tier",
               c.reserved_credits as "Credits (estimated)", c.billed_credits as "Credits (billed)", c.drift as "Drift"
        from orchestrator.credit_charge c join orchestrator.file_version fv on fv.id = c.file_version_id
        where c.drift is not null
        order by c.settled_at desc nulls last
        limit $1
        """, cancellationToken, new NpgsqlParameter<int> { TypedValue = limit });

    /// <summary>
    /// Files held by a cap, per source, run and cap, with the reason and the oldest hold: of the configured
    /// <paramref name="sources"/>, as the files_held gauge and Needs a person count them (a removed source's are history,
    /// and approving them would only queue a run of it, which is skipped).
    /// </summary>
    public Task<OpsTable> HeldAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken) => QueryAsync("""
        select source_name as "Source", held_run_id as "Run", held_cap as "Cap", count(*) as "Files held",
               sum(pages) as "Pages", min(held_at) as "Held since", min(held_reason) as "Reason"
        from orchestrator.file_version
        where state = $1 and source_name = any($2)
        group by source_name, held_run_id, held_cap
        order by source_name, held_run_id desc
        """, cancellationToken, StateParameters.Name(FileVersionState.Held), new NpgsqlParameter<string[]> { TypedValue = [.. sources] });

    /// <summary>Credits of the latest run in a scope (for a run cap's headroom).</summary>
    public async Task<decimal> LatestRunUseAsync(string scope, CancellationToken cancellationToken)
    {
        // The latest run, not the latest that reserved anything: one that found nothing to send left the whole cap, and
        // the gauge (and the cap alert reading it) must not go on showing what an earlier run used (docs/costs.md, "Metrics").
        var table = await QueryAsync("""
            select coalesce(sum(coalesce(c.billed_credits, c.reserved_credits)), 0)
            from orchestrator.credit_charge c
            where c.run_id = (select max(id) from orchestrator.run where $1 = $2 or source_name = $1)
            """, cancellationToken, new NpgsqlParameter<string> { TypedValue = scope }, new NpgsqlParameter<string> { TypedValue = CapOptions.GlobalScope });
        return (decimal)table.Rows[0][0]!;
    }

    /// <summary>File versions held by a cap, by source, for the gauge.</summary>
    public async Task<IReadOnlyList<(string Source, double Count)>> HeldBySourceAsync(CancellationToken cancellationToken)
    {
        var table = await QueryAsync(
            HeldBySourceSql,
            cancellationToken,
            StateParameters.Name(FileVersionState.Held));
        return [.. table.Rows.Select(r => ((string)r[0]!, (double)r[1]!))];
    }

    /// <summary>
    /// File versions of <paramref name="sources"/> held, by the cap that held them (<c>held_cap</c>, such as <c>global/Day</c>),
    /// for the gauge the cap alert reads: a cap holds files while room is left (the next file needs more than it).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, double>> HeldByCapAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken)
    {
        var table = await QueryAsync(
            HeldByCapSql,
            cancellationToken,
            StateParameters.Name(FileVersionState.Held),
            new NpgsqlParameter<string[]> { TypedValue = [.. sources] });
        return table.Rows.ToDictionary(r => (string)r[0]!, r => (double)r[1]!, StringComparer.Ordinal);
    }

    // Both read at every refresh of the gauges. A held version always names the run that held it (held_run_id, set with
    // the state), so "held_run_id is not null" lets the partial index of held runs (file_version_held) find the few held
    // versions instead of reading every version; an index on state would cost the HOT path of every step's update
    // (docs/performance.md, "The gauges at scale").
    internal const string HeldBySourceSql =
        "select source_name, count(*)::float8 from orchestrator.file_version where held_run_id is not null and state = $1 group by source_name";

    internal const string HeldByCapSql =
        "select held_cap, count(*)::float8 from orchestrator.file_version where held_run_id is not null and state = $1 and source_name = any($2) and held_cap is not null group by held_cap";

    private Task<OpsTable> QueryAsync(string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
        => SqlTable.QueryAsync(dataSource, sql, cancellationToken, parameters);
}

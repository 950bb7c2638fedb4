using System.Diagnostics;
using System.Globalization;
using BatchOrchestrator.Persistence.Monitoring;
using Npgsql;

namespace BatchOrchestrator.Bench;

/// <summary>
/// P13: the Files page at a million file versions (docs/performance.md, "The operator's pages at scale"): its first
/// page of one batch, newest changes first, against a raw read of as many rows by primary key (<c>order by id desc
/// limit</c>), alternating in one process, median of each. Target: at most 10x. The unfiltered page is left out: it
/// reads every version, as no index names updated_at (such an index would cost every step's update its HOT path).
/// Then what `status`, the overview and the unfiltered Files page read, timed without a target (<see cref="StatusReadsAsync"/>).
/// </summary>
internal sealed class PagesBenchmark : IBenchmark
{
    private const int Rounds = 7;
    private const int Page = 201; // the dashboard's page size and one more, as it asks

    public string Name => "pages";

    public string Description => "the Files page of one batch over 1M file versions vs as many rows read by primary key; then what status, the overview and the unfiltered Files page read";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var versions = context.Scaled(1_000_000);
        var connectionString = await context.Postgres.CreateDatabaseAsync($"pages{versions}");
        // no command timeout: seeding and settling a million rows takes minutes
        await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 0 }.ConnectionString);
        var clock = Stopwatch.StartNew();
        await SeedAsync(dataSource, versions, cancellationToken);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   seeded {versions:N0} versions in {clock.Elapsed.TotalSeconds:F0} s"));
        var queries = new OpsQueries(dataSource);
        var batch = versions / 1000 / 2; // a batch from the middle of the history
        var result = await CompareAsync("Files page, one batch", () => queries.FindFilesAsync(null, null, batch, Page, cancellationToken), dataSource, cancellationToken);
        await StatusReadsAsync(dataSource, cancellationToken);
        return [result];
    }

    /// <summary>
    /// What `status` and the overview read, and the unfiltered Files page, each timed alone (median of 3 after a warm-up), beside one full read of the
    /// versions (a count by state): no target, the figures of docs/performance.md, "The operator's pages at scale".
    /// Several of them count over every version of the sources they show, and stand at seconds at this size.
    /// </summary>
    private static async Task StatusReadsAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        string[] names = ["alpha", "beta", "gamma"];
        var fingerprinted = names.Select(n => (n, "parse_v2 cfg")).ToList();
        var ops = new OpsQueries(dataSource);
        var attention = new AttentionQueries(dataSource);
        var overview = new OverviewQueries(dataSource);
        var costs = new CostQueries(dataSource);
        (string Read, Func<Task> Run)[] reads =
        [
            ("every version counted by state (the raw read)", async () =>
            {
                await using var command = dataSource.CreateCommand("select state, count(*) from orchestrator.file_version group by state");
                await command.ExecuteNonQueryAsync(cancellationToken);
            }),
            ("Needs a person", () => attention.NeedsAPersonAsync([.. names.Select(n => (n, "parse_v2 cfg", 5))], TimeSpan.FromHours(24), cancellationToken)),
            ("Sources", () => ops.SourcesAsync(fingerprinted, cancellationToken)),
            ("Runs, status's 10", () => ops.RunsAsync(null, 10, cancellationToken)),
            ("Batches, open", () => ops.BatchesAsync(null, null, openOnly: true, 51, cancellationToken)),
            ("Held by a spending cap", () => costs.HeldAsync(names, cancellationToken)),
            ("Overview: last runs", () => overview.LastRunsAsync(names, cancellationToken)),
            ("Overview: last day", () => overview.LastDayAsync(names, cancellationToken)),
            ("Overview: 30 days of outcomes", () => overview.DailyOutcomesAsync(30, names, cancellationToken)),
            ("Files, unfiltered", () => ops.FindFilesAsync(null, null, null, Page, cancellationToken)),
        ];
        foreach (var (read, run) in reads)
        {
            await run();
            var times = new List<double>();
            for (var i = 0; i < 3; i++)
            {
                var clock = Stopwatch.StartNew();
                await run();
                times.Add(clock.Elapsed.TotalMilliseconds);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   {read,-48} {BenchMath.Median(times),9:F1} ms  ({string.Join(" / ", times.Select(t => t.ToString("F0", CultureInfo.InvariantCulture)))})"));
        }
    }

    private static async Task<BenchResult> CompareAsync(string metric, Func<Task<OpsTable>> page, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var ours = new List<double>();
        var raw = new List<double>();
        await page(); // plans, pools and pages warm for both sides
        await RawAsync(dataSource, cancellationToken);
        for (var i = 0; i < Rounds; i++)
        {
            // rotated order: a machine getting busier during a round favours neither side
            var first = i % 2 == 0;
            for (var side = 0; side < 2; side++)
            {
                var clock = Stopwatch.StartNew();
                var rows = (side == 0) == first ? (await page()).Rows.Count : await RawAsync(dataSource, cancellationToken);
                ((side == 0) == first ? ours : raw).Add(clock.Elapsed.TotalMilliseconds);
                if (rows != Page)
                {
                    throw new InvalidOperationException($"{metric}: expected {Page} rows, read {rows}");
                }
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   {metric}: {BenchMath.Median(ours):F1} ms, raw {BenchMath.Median(raw):F1} ms; rounds (ours / raw): {string.Join(" ", ours.Zip(raw, (o, r) => $"{o:F1}/{r:F1}"))}"));
        return new BenchResult(metric, BenchMath.Median(ours), BenchMath.Median(raw), "ms", Target: 10, LowerIsBetter: true, Note: $"median of {Rounds}");
    }

    /// <summary>The baseline: as many versions, with the columns the page shows, read by primary key.</summary>
    private static async Task<int> RawAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            select id, source_name, relative_path, state, size, batch_id, job_id, process_attempts, error_class, error_message, updated_at
            from orchestrator.file_version order by id desc limit {Page}
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            rows++;
        }

        return rows;
    }

    /// <summary>
    /// A service's history: three sources, batches of 1,000 versions (one in fifty failed), each version's result,
    /// one in a hundred with a copy, changed in an order unlike their ids (a retry changes an old version late).
    /// </summary>
    private static async Task SeedAsync(NpgsqlDataSource dataSource, int versions, CancellationToken cancellationToken)
    {
        var batches = Math.Max(1, versions / 1000);
        await using (var command = dataSource.CreateCommand($"""
            insert into orchestrator.run (id, source_name, trigger, state) overriding system value
            select s, (array['alpha', 'beta', 'gamma'])[s], 'Schedule', 'Completed' from generate_series(1, 3) s;
            insert into orchestrator.batch (id, run_id, source_name, state, job_type, configuration_id, directory_name, file_count) overriding system value
            select b, 1 + b % 3, (array['alpha', 'beta', 'gamma'])[1 + b % 3], 'ResultsRecorded', 'parse_v2', 'cfg', 'dir-' || b, 1000
            from generate_series(1, {batches}) b;
            insert into orchestrator.file_version (source_name, relative_path, size, mtime_ticks, sha256, dedupe_key, state, run_id, batch_id, error_class, created_at, updated_at)
            select (array['alpha', 'beta', 'gamma'])[1 + b % 3], 'd' || (i / 1000) || '/f' || i || '.pdf', 1, i, sha256(int8send(i)), 'k' || i,
                   case when i % 50 = 0 then 'Failed' else 'Succeeded' end, 1 + b % 3, b, case when i % 50 = 0 then 'Permanent' end,
                   timestamptz '2026-01-01' + make_interval(secs => i), timestamptz '2026-01-01' + make_interval(secs => i + (i::bigint * 7919) % 86400)
            from generate_series(1, {versions}) i cross join lateral (select least((i - 1) / 1000 + 1, {batches}) as b) x;
            insert into orchestrator.batch_result (batch_id, file_version_id, source_directory_file_id, job_id, follow_up_state, outcome)
            select batch_id, id, 'sdf-' || id, 'job-' || id, 'FollowedUp', state from orchestrator.file_version;
            insert into orchestrator.file_copy (source_name, relative_path, file_version_id, updated_at)
            select source_name, 'copies/c' || id || '.pdf', id, updated_at from orchestrator.file_version where id % 100 = 3;
            insert into orchestrator.source_file (source_name, relative_path, size, mtime_ticks, first_seen_at)
            select source_name, relative_path, 1, 1, created_at from orchestrator.file_version;
            """))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await EndToEndBenchmark.SettleAsync(dataSource, cancellationToken);
    }
}

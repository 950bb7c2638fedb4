using System.Diagnostics;
using System.Globalization;
using BatchOrchestrator.Core.Batches;
using BatchOrchestrator.Core.Lifecycle;
using BatchOrchestrator.Core.Retries;
using BatchOrchestrator.Persistence.Batches;
using Npgsql;
using NpgsqlTypes;

namespace BatchOrchestrator.Bench;

/// <summary>
/// Recording a batch's per-file results (<see cref="NpgsqlBatchStore.RecordResultsAsync"/>: COPY into a
/// staging table, then one merge that writes batch_result and every file version's outcome) against a
/// raw binary COPY of the same rows into a table identical to batch_result, in the same run.
/// </summary>
internal sealed class RecordResultsBenchmark : IBenchmark
{
    private const int Repetitions = 5;

    public string Name => "record-results";

    public string Description => "100,000 results through RecordResultsAsync vs raw binary COPY of the same rows (target ≤ 1.5×)";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var count = context.Scaled(100_000);
        await using var dataSource = NpgsqlDataSource.Create(await context.Postgres.CreateDatabaseAsync("bench_record"));
        var store = new NpgsqlBatchStore(dataSource);
        // Identical: the same columns, indexes and constraints (LIKE copies all but the foreign keys, added here).
        await ExecuteAsync(dataSource, "create table public.raw_result (like orchestrator.batch_result including all)", cancellationToken);
        await ExecuteAsync(dataSource, """
            alter table public.raw_result
                add foreign key (batch_id) references orchestrator.batch (id),
                add foreign key (file_version_id) references orchestrator.file_version (id)
            """, cancellationToken);
        await ExecuteAsync(dataSource, "insert into orchestrator.run (source_name, trigger, state) values ('bench', 'Manual', 'Active')", cancellationToken);

        // The baseline's rows reference a batch and file versions of their own, as batch_result's do.
        var (rawBatch, rawFirst) = await SeedAsync(dataSource, "raw", count, cancellationToken);

        // Warm-up at a small size: JIT, plans, the connection pool.
        await RecordOnceAsync(dataSource, store, "warm", 1_000, cancellationToken);
        await CopyOnceAsync(dataSource, rawBatch, rawFirst, 1_000, cancellationToken);

        var ours = new List<double>();
        var baseline = new List<double>();
        for (var i = 0; i < Repetitions; i++)
        {
            baseline.Add(await CopyOnceAsync(dataSource, rawBatch, rawFirst, count, cancellationToken));
            ours.Add(await RecordOnceAsync(dataSource, store, $"run{i}", count, cancellationToken));
        }

        var note = string.Create(CultureInfo.InvariantCulture, $"{count:N0} rows, median of {Repetitions}; ours {count / Median(ours):N0} rows/s, COPY {count / Median(baseline):N0} rows/s");
        return [new BenchResult("record results (s)", Median(ours), Median(baseline), "s", 1.5, LowerIsBetter: true, note)];
    }

    /// <summary>A batch of <paramref name="count"/> submitted file versions with remote ids dfl-&lt;tag&gt;-&lt;n&gt;; returns it and its first version id.</summary>
    private static async Task<(long BatchId, long FirstVersionId)> SeedAsync(NpgsqlDataSource dataSource, string tag, int count, CancellationToken cancellationToken)
    {
        await using (var seed = dataSource.CreateCommand("""
            with b as (
                insert into orchestrator.batch (run_id, source_name, state, job_type, configuration_id, directory_name, remote_directory_id, remote_batch_id, file_count)
                select (select max(id) from orchestrator.run), 'bench', 'Completed', 'parse_v2', 'cfg-PARSE_AGENTIC', 'bo-bench-' || $1, 'dir-' || $1, 'bat-' || $1, $2
                returning id)
            insert into orchestrator.file_version (source_name, relative_path, size, mtime_ticks, sha256, dedupe_key, state, batch_id, remote_file_id)
            select 'bench', $1 || '/f' || i || '.pdf', i, 0, sha256(($1 || i)::bytea), $1 || '-' || i, 'Submitted', b.id, 'dfl-' || $1 || '-' || i
            from b, generate_series(1, $2) as i
            order by i
            """))
        {
            seed.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tag });
            seed.Parameters.Add(new NpgsqlParameter<int> { TypedValue = count });
            await seed.ExecuteNonQueryAsync(cancellationToken);
        }

        await ExecuteAsync(dataSource, "vacuum analyze orchestrator.file_version", cancellationToken);
        var batchId = await ScalarAsync<long>(dataSource, $"select id from orchestrator.batch where remote_batch_id = 'bat-{tag}'", cancellationToken);
        var first = await ScalarAsync<long>(dataSource, $"select min(id) from orchestrator.file_version where batch_id = {batchId}", cancellationToken);
        return (batchId, first);
    }

    /// <summary>A submitted batch of <paramref name="count"/> file versions (seeded outside the clock), then the timed recording.</summary>
    private static async Task<double> RecordOnceAsync(NpgsqlDataSource dataSource, NpgsqlBatchStore store, string tag, int count, CancellationToken cancellationToken)
    {
        var (batchId, _) = await SeedAsync(dataSource, tag, count, cancellationToken);
        var results = Results(tag, count);
        var clock = Stopwatch.StartNew();
        await store.RecordResultsAsync(batchId, BatchState.Completed, results, new RecordPolicy(3, DateTimeOffset.UtcNow), cancellationToken);
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>The same rows batch_result receives, COPYed straight into an identical table: the physical floor.</summary>
    private static async Task<double> CopyOnceAsync(NpgsqlDataSource dataSource, long batchId, long firstVersionId, int count, CancellationToken cancellationToken)
    {
        await ExecuteAsync(dataSource, "truncate public.raw_result", cancellationToken);
        var results = Results("raw", count);
        var clock = Stopwatch.StartNew();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var import = await connection.BeginBinaryImportAsync(
            "copy public.raw_result (batch_id, file_version_id, source_directory_file_id, job_type, job_id, error_message, outcome, error_class, follow_up_state) from stdin (format binary)",
            cancellationToken))
        {
            for (var i = 0; i < results.Count; i++)
            {
                var r = results[i];
                await import.StartRowAsync(cancellationToken);
                await import.WriteAsync(batchId, NpgsqlDbType.Bigint, cancellationToken);
                await import.WriteAsync(firstVersionId + i, NpgsqlDbType.Bigint, cancellationToken);
                await import.WriteAsync(r.SourceDirectoryFileId, NpgsqlDbType.Text, cancellationToken);
                await WriteAsync(import, r.JobType, cancellationToken);
                await WriteAsync(import, r.JobId, cancellationToken);
                await WriteAsync(import, r.ErrorMessage, cancellationToken);
                await import.WriteAsync(r.Outcome.ToString(), NpgsqlDbType.Text, cancellationToken);
                await WriteAsync(import, r.ErrorClass?.ToString(), cancellationToken);
                await WriteAsync(import, r.JobId is null ? null : "Recorded", cancellationToken);
            }

            await import.CompleteAsync(cancellationToken);
        }

        return clock.Elapsed.TotalSeconds;
    }

    // 2 % of files fail with an unsupported type, the rest get a parse job: a realistic night.
    private static List<FileResult> Results(string tag, int count) =>
        [.. Enumerable.Range(1, count).Select(i => i % 50 == 0
            ? new FileResult($"dfl-{tag}-{i}", FileVersionState.Failed, ErrorMessage: "Unsupported file type: .exe", ErrorClass: FailureClass.Permanent)
            : new FileResult($"dfl-{tag}-{i}", FileVersionState.Succeeded, "parse_v2", $"pjb-{tag}-{i:D8}-aaaa-bbbb-cccc-dddddddddddd"))];

    private static async Task WriteAsync(NpgsqlBinaryImporter import, string? value, CancellationToken cancellationToken)
    {
        if (value is null)
        {
            await import.WriteNullAsync(cancellationToken);
        }
        else
        {
            await import.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}

using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace BatchOrchestrator.Bench;

/// <summary>
/// What the service costs doing nothing: the published Release Worker with the shipped appsettings.json,
/// one source on a nightly schedule with watching on and an empty folder, its embedded PostgreSQL, for
/// <c>--minutes</c> (10 by default). CPU of the Worker and of every process of its PostgreSQL server
/// (/proc/&lt;pid&gt;/stat) as a share of one core, beside a second PostgreSQL server, idle and alone, over the
/// same window; statements per minute from pg_stat_statements (loaded into the embedded server with
/// ALTER SYSTEM and a restart before the window), transactions per minute, and Hangfire jobs created.
/// </summary>
internal sealed class IdleBenchmark : IBenchmark
{
    private const double TargetPercentOfCore = 2.0;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    public string Name => "idle";

    public string Description => "CPU of the published Worker + its PostgreSQL idling (nightly source, watching) vs an idle PostgreSQL alone; statements per minute";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var minutes = context.Option("minutes", 10);
        var folder = Path.Combine(context.Scratch, "idle");
        var dll = await PublishedWorker.PublishAsync(Path.Combine(folder, "app"), context.Option("worker"), cancellationToken);
        var data = Path.Combine(folder, "postgres");
        var settings = new Dictionary<string, string?>
        {
            ["Sources:0:Schedule"] = "0 2 * * *", // nightly; everything else as shipped
            ["Sources:0:Path"] = Path.Combine(folder, "inbox"),
            ["FollowUp:OutputPath"] = Path.Combine(folder, "output"),
            ["Database:Embedded:DataDirectory"] = data,
        };

        // First start: creates and migrates the cluster; pg_stat_statements needs a server restart to load.
        await using (var first = PublishedWorker.Start(dll, settings))
        {
            await first.WaitReadyAsync(TimeSpan.FromMinutes(3), cancellationToken);
            await ExecuteAsync(Connection(data), "alter system set shared_preload_libraries = 'pg_stat_statements'", cancellationToken);
        }

        var baseline = new Persistence.Embedded.EmbeddedPostgres(
            new Persistence.EmbeddedPostgresOptions { DataDirectory = Path.Combine(folder, "postgres-alone") },
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        await baseline.StartAsync(cancellationToken);
        await using var worker = PublishedWorker.Start(dll, settings);
        try
        {
            await worker.WaitReadyAsync(TimeSpan.FromMinutes(3), cancellationToken);
            var connection = Connection(data);
            await ExecuteAsync(connection, "create extension if not exists pg_stat_statements", cancellationToken);
            await Task.Delay(Settle, cancellationToken); // start-up work (JIT, registration, first ticks) is not idling

            var window = await MeasureAsync(worker, data, Path.Combine(folder, "postgres-alone"), connection, TimeSpan.FromMinutes(minutes), cancellationToken);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"   over {minutes:F1} min: Worker {window.WorkerPercent:F2} % of a core, its PostgreSQL {window.PostgresPercent:F2} %, PostgreSQL alone {window.AlonePercent:F2} %"));
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"   {window.StatementsPerMinute:F1} statements/min (pg_stat_statements), {window.TransactionsPerMinute:F1} transactions/min (pg_stat_database xact_commit), {window.JobsPerMinute:F2} Hangfire jobs/min, {window.ConnectionsPerMinute:F2} new database connections/min"));
            foreach (var (calls, query) in window.TopStatements)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"     {calls / minutes,8:F1}/min  {query}"));
            }

            var note = string.Create(CultureInfo.InvariantCulture, $"{minutes:F0} min; baseline: an idle PostgreSQL alone; {window.StatementsPerMinute:F0} statements/min");
            return
            [
                BenchResult.Absolute("idle CPU, Worker + its PostgreSQL", window.WorkerPercent + window.PostgresPercent, "% core", TargetPercentOfCore, note, window.AlonePercent),
            ];
        }
        finally
        {
            await worker.StopAsync();
            await baseline.StopAsync(CancellationToken.None);
        }
    }

    private static async Task<IdleWindow> MeasureAsync(
        PublishedWorker worker, string data, string alone, string connectionString, TimeSpan duration, CancellationToken cancellationToken)
    {
        var postmaster = ProcessCpu.PostmasterPid(Path.Combine(data, "cluster"));
        var alonePostmaster = ProcessCpu.PostmasterPid(Path.Combine(alone, "cluster"));
        await ExecuteAsync(connectionString, "select pg_stat_statements_reset()", cancellationToken);
        var (commits, jobs, sessions) = await CountersAsync(connectionString, cancellationToken);
        var (workerTicks, postgresTicks, aloneTicks) = (ProcessCpu.Ticks(worker.ProcessId), ProcessCpu.TreeTicks(postmaster), ProcessCpu.TreeTicks(alonePostmaster));
        var clock = Stopwatch.StartNew();

        await Task.Delay(duration, cancellationToken);

        var seconds = clock.Elapsed.TotalSeconds;
        var (workerEnd, postgresEnd, aloneEnd) = (ProcessCpu.Ticks(worker.ProcessId), ProcessCpu.TreeTicks(postmaster), ProcessCpu.TreeTicks(alonePostmaster));
        var (commitsEnd, jobsEnd, sessionsEnd) = await CountersAsync(connectionString, cancellationToken);
        var statements = await StatementsAsync(connectionString, cancellationToken);
        var perMinute = 60 / seconds;
        return new IdleWindow(
            ProcessCpu.PercentOfCore(workerEnd - workerTicks, seconds),
            ProcessCpu.PercentOfCore(postgresEnd - postgresTicks, seconds),
            ProcessCpu.PercentOfCore(aloneEnd - aloneTicks, seconds),
            statements.Sum(s => s.Calls) * perMinute,
            (commitsEnd - commits) * perMinute,
            (jobsEnd - jobs) * perMinute,
            (sessionsEnd - sessions - 1) * perMinute, // less our own second reading's connection
            [.. statements.OrderByDescending(s => s.Calls).Take(12)]);
    }

    // Our own two readings are left out of the counts (they commit too: two transactions per window).
    private static async Task<(long Commits, long Jobs, long Sessions)> CountersAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            select (select sum(xact_commit) from pg_stat_database)::bigint,
                   (select coalesce(max(id), 0) from hangfire.job)::bigint,
                   (select sum(sessions) from pg_stat_database)::bigint
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    private static async Task<List<(long Calls, string Query)>> StatementsAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            select calls, regexp_replace(left(query, 110), '\s+', ' ', 'g')
            from pg_stat_statements
            where query not like '%pg_stat%' and query not like '%xact_commit%'
            """, connection);
        var rows = new List<(long, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetInt64(0), reader.GetString(1)));
        }

        return rows;
    }

    /// <summary>The embedded server's superuser connection, from the password and port it keeps in its data folder.</summary>
    private static string Connection(string data) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = int.Parse(
            File.ReadLines(Path.Combine(data, "cluster", "batchorchestrator.conf")).First(l => l.StartsWith("port = ", StringComparison.Ordinal))["port = ".Length..],
            CultureInfo.InvariantCulture),
        Username = "batchorchestrator",
        Password = File.ReadAllText(Path.Combine(data, "password")).Trim(),
        Database = "batchorchestrator",
        Pooling = false,
    }.ConnectionString;

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private sealed record IdleWindow(
        double WorkerPercent, double PostgresPercent, double AlonePercent, double StatementsPerMinute, double TransactionsPerMinute, double JobsPerMinute, double ConnectionsPerMinute,
        IReadOnlyList<(long Calls, string Query)> TopStatements);
}

using System.Globalization;
using Npgsql;

namespace BatchOrchestrator.Bench;

/// <summary>Where an end-to-end run's time went, per step, from the timestamps the pipeline keeps; and the Hangfire jobs it took.</summary>
internal static class EndToEndReport
{
    /// <summary>
    /// Each step's first start and last end, seconds after the drop, and how long one batch spent in it (mean and
    /// longest); uploads from the Sandbox's count, sampled while waiting (no per-file upload time is stored).
    /// </summary>
    public static async Task PrintStepsAsync(NpgsqlDataSource dataSource, DateTimeOffset drop, TimeSpan? firstUpload, TimeSpan? lastUpload, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            with b as (
                select b.id, b.created_at, b.submitted_at, b.finished_at,
                       (select max(r.followed_up_at) from orchestrator.batch_result r where r.batch_id = b.id) as followed_up_at
                from orchestrator.batch b
            ), steps (ord, step, first_start, last_end, mean_per_batch, max_per_batch) as (
                select 1, 'runs (scan, settle, plan)', (select min(started_at) from orchestrator.run), (select max(scanned_at) from orchestrator.run), null::interval, null::interval
                union all select 2, 'upload (planned → submitted)', min(created_at), max(submitted_at), avg(submitted_at - created_at), max(submitted_at - created_at) from b
                union all select 3, 'process, poll, record (→ recorded)', min(submitted_at), max(finished_at), avg(finished_at - submitted_at), max(finished_at - submitted_at) from b
                union all select 4, 'follow up (→ last result fetched)', min(finished_at), max(followed_up_at), avg(followed_up_at - finished_at), max(followed_up_at - finished_at) from b
            )
            select step, extract(epoch from first_start - $1)::float8, extract(epoch from last_end - $1)::float8,
                   extract(epoch from mean_per_batch)::float8, extract(epoch from max_per_batch)::float8,
                   (select count(*) from orchestrator.batch), (select count(*) from orchestrator.run)
            from steps order by ord
            """);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = drop });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var header = false;
        while (await reader.ReadAsync(cancellationToken))
        {
            if (!header)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   {reader.GetInt64(5)} batches, {reader.GetInt64(6)} runs; seconds after the drop:"));
                Console.WriteLine($"   {"step",-40} {"first",8} {"last",8} {"per batch: mean",16} {"longest",8}");
                Console.WriteLine($"   {"uploads (the Sandbox's count, sampled)",-40} {Seconds(firstUpload),8} {Seconds(lastUpload),8}");
                header = true;
            }

            string Column(int i) => reader.IsDBNull(i) ? "-" : reader.GetDouble(i).ToString("F1", CultureInfo.InvariantCulture);
            Console.WriteLine($"   {reader.GetString(0),-40} {Column(1),8} {Column(2),8} {Column(3),16} {Column(4),8}");
        }
    }

    private static string Seconds(TimeSpan? value) => value is { } v ? v.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) : "-";

    /// <summary>Prints the Hangfire jobs created since <paramref name="afterId"/> by kind; returns how many.</summary>
    public static async Task<long> PrintJobsAsync(NpgsqlDataSource dataSource, long afterId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select coalesce(invocationdata ->> 'Type', '?') as type, count(*)
            from hangfire.job where id > $1
            group by 1 order by 2 desc
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        long total = 0;
        var kinds = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var type = reader.GetString(0);
            var name = type.Split(',')[0].Split('.')[^1];
            total += reader.GetInt64(1);
            kinds.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {reader.GetInt64(1)}"));
        }

        Console.WriteLine($"   Hangfire jobs: {total} ({string.Join(", ", kinds)})");
        return total;
    }
}

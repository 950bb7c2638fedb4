using System.Runtime.CompilerServices;
using BatchOrchestrator.Core.Sources;
using Npgsql;
using NpgsqlTypes;

namespace BatchOrchestrator.Persistence.Sources;

/// <summary>
/// Scan state in bulk: each scan's observations are streamed with binary COPY into a temporary
/// table and compared with the stored looks in a few set-based statements, never one query per file.
/// </summary>
internal sealed class NpgsqlSourceScanStore(NpgsqlDataSource dataSource) : ISourceScanStore
{
    public async Task<ObservationSummary> MergeObservationsAsync(
        string source, IEnumerable<FileObservation> observations, DateTimeOffset scanTime, DateTimeOffset settledBefore, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var create = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new("create temp table scan_observation (relative_path text not null, size bigint not null, mtime_ticks bigint not null) on commit drop"),
                new("insert into orchestrator.source (name) values ($1) on conflict do nothing") { Parameters = { Text(source) } },
            },
        })
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var seen = 0;
        await using (var import = await connection.BeginBinaryImportAsync(
            "copy scan_observation (relative_path, size, mtime_ticks) from stdin (format binary)", cancellationToken))
        {
            foreach (var observation in observations)
            {
                await import.StartRowAsync(cancellationToken);
                await import.WriteAsync(observation.RelativePath, NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync(observation.Size, NpgsqlDbType.Bigint, cancellationToken);
                await import.WriteAsync(observation.MtimeTicks, NpgsqlDbType.Bigint, cancellationToken);
                seen++;
            }

            await import.CompleteAsync(cancellationToken);
        }

        await using var merge = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                // Without statistics the planner would guess a tiny table and pick a nested loop.
                new("analyze scan_observation"),
                // New or changed paths (a changed size or mtime restarts the settle clock and drops the hash).
                new("""
                    insert into orchestrator.source_file as f (source_name, relative_path, size, mtime_ticks, first_seen_at)
                    select $1, o.relative_path, o.size, o.mtime_ticks, $2
                    from scan_observation o
                    left join orchestrator.source_file e on e.source_name = $1 and e.relative_path = o.relative_path
                    where e.relative_path is null or e.size <> o.size or e.mtime_ticks <> o.mtime_ticks or e.deleted_at is not null
                    on conflict (source_name, relative_path) do update
                        set size = excluded.size, mtime_ticks = excluded.mtime_ticks, first_seen_at = excluded.first_seen_at,
                            sha256 = null, deleted_at = null
                    """) { Parameters = { Text(source), Timestamp(scanTime) } },
                new("""
                    update orchestrator.source_file f set deleted_at = $2
                    where f.source_name = $1 and f.deleted_at is null
                      and not exists (select 1 from scan_observation o where o.relative_path = f.relative_path)
                    """) { Parameters = { Text(source), Timestamp(scanTime) } },
                new("""
                    select count(*)::int from orchestrator.source_file
                    where source_name = $1 and sha256 is null and deleted_at is null and first_seen_at > $2
                    """) { Parameters = { Text(source), Timestamp(settledBefore) } },
            },
        };
        int unsettled;
        await using (var reader = await merge.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            unsettled = reader.GetInt32(0);
        }

        var newOrChanged = merge.BatchCommands[1].RecordsAffected;
        var vanished = merge.BatchCommands[2].RecordsAffected;
        await transaction.CommitAsync(cancellationToken);
        return new ObservationSummary(seen, newOrChanged, vanished, unsettled);
    }

    public async IAsyncEnumerable<FileObservation> ReadHashCandidatesAsync(
        string source, DateTimeOffset settledBefore, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select relative_path, size, mtime_ticks from orchestrator.source_file
            where source_name = $1 and sha256 is null and deleted_at is null and first_seen_at <= $2
            """);
        command.Parameters.Add(Text(source));
        command.Parameters.Add(Timestamp(settledBefore));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new FileObservation(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2));
        }
    }

    public async Task<int> RecordHashesAsync(string source, IReadOnlyList<HashedFile> files, CancellationToken cancellationToken)
    {
        // Only a hash still matching the stored (size, mtime) counts. A version that was skipped
        // (its file changed or vanished before upload) comes back to life when its content reappears.
        await using var command = dataSource.CreateCommand("""
            with hashed as (
                select * from unnest($2::text[], $3::bigint[], $4::bigint[], $5::bytea[]) as h(relative_path, size, mtime_ticks, sha256)
            ), stored as (
                update orchestrator.source_file f set sha256 = h.sha256
                from hashed h
                where f.source_name = $1 and f.relative_path = h.relative_path and f.size = h.size and f.mtime_ticks = h.mtime_ticks
                returning f.relative_path, f.size, f.mtime_ticks, f.sha256
            )
            insert into orchestrator.file_version as v (source_name, relative_path, size, mtime_ticks, sha256, dedupe_key, state)
            -- Identical content at several paths is one version (the first path by name), and a
            -- statement may touch a conflicting row only once.
            select distinct on (sha256) $1, relative_path, size, mtime_ticks, sha256, encode(sha256, 'hex'), 'Discovered'
            from stored
            order by sha256, relative_path
            on conflict (source_name, dedupe_key) do update
                set relative_path = excluded.relative_path, size = excluded.size, mtime_ticks = excluded.mtime_ticks,
                    state = 'Discovered', batch_id = null, unique_id = null, upload_started_at = null,
                    remote_file_id = null, error_message = null, updated_at = now()
                where v.state = 'Skipped'
            """);
        command.Parameters.Add(Text(source));
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = files.Select(f => f.Observation.RelativePath).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = files.Select(f => f.Observation.Size).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = files.Select(f => f.Observation.MtimeTicks).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = files.Select(f => f.Sha256).ToArray() });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlParameter<string> Text(string value) => new() { TypedValue = value };

    private static NpgsqlParameter<DateTimeOffset> Timestamp(DateTimeOffset value) => new() { TypedValue = value };
}

using BatchOrchestrator.Core.Sources;
using NpgsqlTypes;

namespace BatchOrchestrator.Persistence.Sources;

/// <summary>
/// One scan's differences: binary COPY into a temporary table on a connection of its own (the stored
/// looks are still streaming out on another), then one set-based merge in the same transaction.
/// Nothing is opened until the first difference.
/// </summary>
internal sealed class ScanDiffWriter(NpgsqlDataSource dataSource, string source, DateTimeOffset scanTime) : IScanDiffWriter
{
    private NpgsqlConnection? connection;
    private NpgsqlTransaction? transaction;
    private NpgsqlBinaryImporter? import;

    public async ValueTask UpsertAsync(FileObservation observation, CancellationToken cancellationToken)
    {
        var copy = import ?? await OpenAsync(cancellationToken);
        await copy.StartRowAsync(cancellationToken);
        await copy.WriteAsync(observation.RelativePath, NpgsqlDbType.Text, cancellationToken);
        await copy.WriteAsync(observation.Size, NpgsqlDbType.Bigint, cancellationToken);
        await copy.WriteAsync(observation.MtimeTicks, NpgsqlDbType.Bigint, cancellationToken);
        await copy.WriteAsync(false, NpgsqlDbType.Boolean, cancellationToken);
    }

    public async ValueTask VanishedAsync(string relativePath, CancellationToken cancellationToken)
    {
        var copy = import ?? await OpenAsync(cancellationToken);
        await copy.StartRowAsync(cancellationToken);
        await copy.WriteAsync(relativePath, NpgsqlDbType.Text, cancellationToken);
        await copy.WriteAsync(0L, NpgsqlDbType.Bigint, cancellationToken);
        await copy.WriteAsync(0L, NpgsqlDbType.Bigint, cancellationToken);
        await copy.WriteAsync(true, NpgsqlDbType.Boolean, cancellationToken);
    }

    public async Task CommitAsync(DateTimeOffset lookedAt, CancellationToken cancellationToken)
    {
        if (import is null)
        {
            return; // nothing changed
        }

        await import.CompleteAsync(cancellationToken);
        await import.DisposeAsync();
        import = null;
        await using var merge = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                // Without statistics the planner would guess a tiny table and pick a nested loop.
                new("analyze scan_diff"),
                // New or changed paths: a changed size or mtime restarts the settle clock and drops the hash.
                new("""
                    insert into orchestrator.source_file as f (source_name, relative_path, size, mtime_ticks, first_seen_at)
                    select $1, d.relative_path, d.size, d.mtime_ticks, $2 from scan_diff d where not d.vanished
                    on conflict (source_name, relative_path) do update
                        set size = excluded.size, mtime_ticks = excluded.mtime_ticks, first_seen_at = excluded.first_seen_at,
                            sha256 = null, deleted_at = null
                    """) { Parameters = { Text(source), Timestamp(lookedAt) } },
                new("""
                    update orchestrator.source_file f set deleted_at = $2
                    from scan_diff d
                    where d.vanished and f.source_name = $1 and f.relative_path = d.relative_path and f.deleted_at is null
                    """) { Parameters = { Text(source), Timestamp(scanTime) } },
            },
        };
        await merge.ExecuteNonQueryAsync(cancellationToken);
        await transaction!.CommitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (import is not null)
        {
            try
            {
                await import.DisposeAsync(); // cancels the COPY: nothing of an unfinished scan is kept
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                // the connection is going away with its transaction anyway
            }
        }

        if (transaction is not null)
        {
            await transaction.DisposeAsync();
        }

        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
    }

    private async ValueTask<NpgsqlBinaryImporter> OpenAsync(CancellationToken cancellationToken)
    {
        connection = await dataSource.OpenConnectionAsync(cancellationToken);
        transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var create = new NpgsqlCommand(
            """
            create temp table scan_diff (relative_path text collate "C" not null, size bigint not null, mtime_ticks bigint not null, vanished boolean not null)
            on commit drop
            """,
            connection,
            transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        import = await connection.BeginBinaryImportAsync("copy scan_diff (relative_path, size, mtime_ticks, vanished) from stdin (format binary)", cancellationToken);
        return import;
    }
}

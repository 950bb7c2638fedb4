using BatchOrchestrator.Core.Leases;
using BatchOrchestrator.Core.Operations;

namespace BatchOrchestrator.Persistence.Operations;

/// <summary>
/// Moves a source's record between Names. The tables are read from the catalogue (every table of ours with a
/// <c>source_name</c>), so a table a later migration keys by source moves with the rest without a change here.
/// </summary>
internal sealed class NpgsqlSourceRenameStore(NpgsqlDataSource dataSource) : ISourceRenameStore
{
    private const string SourceTable = "source";

    public async Task<SourceRename> RenameAsync(string from, string to, bool dryRun, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Two renames, or a start-up recording its sources, wait for each other here. The new name's row is made first if
        // it has none: a lock on rows that exist would let a service starting under the new name insert it meanwhile, and
        // the move below would then fail on the duplicate name. A start-up's insert now waits for this transaction, then
        // finds the name taken (each is "on conflict"). Rolled back with the rest on a dry run or a refusal; the move
        // replaces it as it replaces a row a start-up made.
        await Execute(connection, transaction, "insert into orchestrator.source (name) values ($1) on conflict (name) do nothing", [to], cancellationToken);
        await Execute(connection, transaction, "select name from orchestrator.source where name = any($1) order by name for update", [new string[] { from, to }], cancellationToken);
        var tables = await ReadAsync(connection, transaction, """
            select c.table_name::text
            from information_schema.columns c
            join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
            where c.table_schema = 'orchestrator' and c.column_name = 'source_name'
            order by 1
            """, [], r => r.GetString(0), cancellationToken);
        var rows = await CountAsync(connection, transaction, tables, from, to, cancellationToken);
        var refused = NewNameRefusal(to, rows) ?? await OpenBatchRefusalAsync(connection, transaction, from, cancellationToken)
            ?? await HeldStepRefusalAsync(connection, transaction, from, cancellationToken);
        if (dryRun || refused is not null || rows.All(r => r.FromRows == 0))
        {
            return new SourceRename(from, to, rows, Moved: false, refused);
        }

        // The new name's own row, made when a start-up first saw it configured, holds nothing but a trigger kept while a
        // run (or this rename) held its lease: the old row replaces it, keeping that trigger.
        await Execute(connection, transaction, """
            with bare as (
                delete from orchestrator.source where name = $2 and exists (select 1 from orchestrator.source where name = $1)
                returning rerun_requested_at)
            update orchestrator.source set name = $2, rerun_requested_at = coalesce(rerun_requested_at, (select rerun_requested_at from bare))
            where name = $1
            """, [from, to], cancellationToken);
        foreach (var table in tables)
        {
            await Execute(connection, transaction, $"update orchestrator.\"{table}\" set source_name = $2 where source_name = $1", [from, to], cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new SourceRename(from, to, rows, Moved: true, null);
    }

    private static async Task<List<(string Table, long FromRows, long ToRows)>> CountAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, List<string> tables, string from, string to, CancellationToken cancellationToken)
    {
        var counts = string.Join("\nunion all\n", tables.Select(t =>
            $"select '{t}', (select count(*) from orchestrator.\"{t}\" where source_name = $1), (select count(*) from orchestrator.\"{t}\" where source_name = $2)"));
        var sql = $"""
            select '{SourceTable}', (select count(*) from orchestrator.source where name = $1), (select count(*) from orchestrator.source where name = $2)
            union all
            {counts}
            """;
        return await ReadAsync(connection, transaction, sql, [from, to], r => (r.GetString(0), r.GetInt64(1), r.GetInt64(2)), cancellationToken);
    }

    /// <summary>A record under the new name would be mixed with the old one: two versions of one content, two runs' worth of looks.</summary>
    private static string? NewNameRefusal(string to, List<(string Table, long FromRows, long ToRows)> rows)
    {
        var own = rows.Where(r => r.Table != SourceTable && r.ToRows > 0).Select(r => $"{r.ToRows} in {r.Table}").ToList();
        return own.Count == 0
            ? null
            : $"'{to}' has a record of its own ({string.Join(", ", own)}), which would be mixed with this one; choose a name with none";
    }

    /// <summary>
    /// A batch not ended is still being worked on (uploaded, submitted, polled, recorded), by steps that read its source's
    /// folder and configuration by name: a source renamed under it would fail those steps or end them against another source.
    /// </summary>
    private static async Task<string?> OpenBatchRefusalAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string from, CancellationToken cancellationToken)
    {
        var open = await ReadAsync(
            connection,
            transaction,
            "select id, state from orchestrator.batch where source_name = $1 and state <> all($2) order by id limit 5",
            [from, StateParameters.Names(BatchLifecycle.Ended)],
            r => $"{r.GetInt64(0)} ({r.GetString(1)})",
            cancellationToken);
        return open.Count == 0
            ? null
            : $"batches of '{from}' have not ended: {string.Join(", ", open)}; wait until 'status' lists none open, or cancel them ('cancel batch <id>')";
    }

    /// <summary>
    /// A follow-up (or a late batch step) under way writes rows and outputs under the name it read. Each batch's lease rows
    /// are made if missing and locked until the commit: a step that asks for one meanwhile waits, then reads the new name.
    /// </summary>
    private static async Task<string?> HeldStepRefusalAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string from, CancellationToken cancellationToken)
    {
        const string Names = $"""
            select p.prefix || b.id from orchestrator.batch b cross join unnest(array['{BatchLease.Prefix}', '{BatchLease.FollowUpPrefix}']) p(prefix)
            where b.source_name = $1
            """;
        await Execute(connection, transaction, $"""
            insert into orchestrator.lease (name, owner, fencing_token, expires_at)
            select n, 'none', 0, '-infinity' from ({Names}) s(n)
            on conflict (name) do nothing
            """, [from], cancellationToken);
        var held = await ReadAsync(
            connection,
            transaction,
            $"select name, expires_at >= now() from orchestrator.lease where name in ({Names}) order by name for update",
            [from],
            r => r.GetBoolean(1) ? r.GetString(0) : null,
            cancellationToken);
        var holding = held.OfType<string>().Take(5).ToList();
        return holding.Count == 0
            ? null
            : $"a step of '{from}' is under way ({string.Join(", ", holding)}); try again once it has ended";
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, object[] values, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql, values);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<List<T>> ReadAsync<T>(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, object[] values, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql, values);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, object[] values)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values)
        {
            command.Parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value });
        }

        return command;
    }
}

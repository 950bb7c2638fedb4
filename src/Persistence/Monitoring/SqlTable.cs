namespace BatchOrchestrator.Persistence.Monitoring;

/// <summary>Runs one read-only query into an <see cref="OpsTable"/> (its typed parameters: <see cref="SqlParameters"/>).</summary>
internal static class SqlTable
{
    public static async Task<OpsTable> QueryAsync(NpgsqlDataSource dataSource, string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var batch = dataSource.CreateBatch();
        return await ReadAsync(batch, sql, parameters, cancellationToken);
    }

    /// <summary>
    /// As <see cref="QueryAsync"/>, with the query kept prepared on each pooled connection: for a query that is quick to
    /// run and slow to parse, as the pages reading one batch are. Parsed and analysed anew, the Files page of a batch
    /// spent more time there than running (docs/performance.md, "The operator's pages at scale"). Only for queries whose
    /// every parameter leads to the same plan: after five runs PostgreSQL may keep one plan for all.
    /// </summary>
    public static async Task<OpsTable> QueryPreparedAsync(NpgsqlDataSource dataSource, string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = connection.CreateBatch();
        return await ReadAsync(batch, sql, parameters, cancellationToken, prepare: true);
    }

    private static async Task<OpsTable> ReadAsync(NpgsqlBatch batch, string sql, NpgsqlParameter[] parameters, CancellationToken cancellationToken, bool prepare = false)
    {
        // Without JIT, in the same round trip and for this query alone (set_config's local scope ends with the batch's
        // implicit transaction). The planner's estimates of these reports' many subqueries run high, so PostgreSQL
        // compiled them with LLVM, which took most of the page's time at a million files and bought nothing for
        // queries that wait on index probes, not on expressions (docs/performance.md, "The operator's pages at scale").
        batch.BatchCommands.Add(new NpgsqlBatchCommand("select set_config('jit', 'off', true)"));
        var query = new NpgsqlBatchCommand(sql);
        query.Parameters.AddRange(parameters);
        batch.BatchCommands.Add(query);
        if (prepare)
        {
            await batch.PrepareAsync(cancellationToken); // once per pooled connection: Npgsql knows the ones it prepared
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = await reader.IsDBNullAsync(i, cancellationToken) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return new OpsTable(columns, rows);
    }
}

using BatchOrchestrator.Core.Leases;

namespace BatchOrchestrator.Persistence.Leases;

/// <summary>
/// Fenced writes (docs/reliability.md, "Fencing"): a batch of statements that begins with <c>orchestrator.hold_lease</c>
/// (migration 0080), so its writes land only while the lease still carries the writer's fencing token, and none of them
/// does otherwise. The check rides in the same round trip as the writes, so a per-file write costs no extra one.
/// </summary>
internal static class LeaseFence
{
    /// <summary>The SQLSTATE <c>hold_lease</c> raises for a stale token.</summary>
    public const string StaleToken = "BOL01";

    /// <summary>A batch whose first statement checks <paramref name="fence"/>; an NpgsqlBatch is one implicit transaction.</summary>
    public static NpgsqlBatch CreateBatch(NpgsqlDataSource dataSource, Lease fence)
    {
        var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new("call orchestrator.hold_lease($1, $2)")
        {
            Parameters = { new NpgsqlParameter<string> { TypedValue = fence.Name }, new NpgsqlParameter<long> { TypedValue = fence.FencingToken } },
        });
        return batch;
    }

    /// <summary>Runs a fenced batch; a stale token becomes <see cref="LeaseLostException"/>, for the step to stop on.</summary>
    public static async Task<T> RunAsync<T>(Lease fence, Func<Task<T>> execute)
    {
        try
        {
            return await execute();
        }
        catch (PostgresException ex) when (ex.SqlState == StaleToken)
        {
            throw new LeaseLostException(fence, ex);
        }
    }

    /// <summary>Runs <paramref name="sql"/> as one fenced write.</summary>
    public static async Task ExecuteAsync(NpgsqlDataSource dataSource, Lease fence, string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var batch = CreateBatch(dataSource, fence);
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        batch.BatchCommands.Add(command);
        await RunAsync(fence, () => batch.ExecuteNonQueryAsync(cancellationToken));
    }
}

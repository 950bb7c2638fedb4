using BatchOrchestrator.Core.FollowUp;

namespace BatchOrchestrator.Persistence.FollowUp;

/// <summary>
/// Result paths held with PostgreSQL transaction-level advisory locks, keyed by a hash of the source and the path: each
/// follow-up holds them on a connection of its own, so two in one process wait for each other as two on two machines
/// do, and a holder that dies (its connection with it) lets go. A transaction rather than a session: a pooled
/// connection handed back never carries a lock to its next user. Taken in key order in one statement, so two holders
/// of overlapping paths never wait for each other in a circle; two paths whose keys collide only wait for each other.
/// </summary>
internal sealed class NpgsqlResultPathLocks(NpgsqlDataSource dataSource) : IResultPathLocks
{
    public async Task<IAsyncDisposable> HoldAsync(string source, IReadOnlyCollection<string> relativePaths, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var command = new NpgsqlCommand("""
                select pg_advisory_xact_lock(k.key)
                from (select distinct hashtextextended('batchorchestrator.result-path:' || $1 || '/' || p, 0) as key from unnest($2::text[]) as p) k
                order by k.key
                """, connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = source });
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. relativePaths.Select(p => p.ToUpperInvariant())] });
            await command.ExecuteNonQueryAsync(cancellationToken);
            return new Held(connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private sealed class Held(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            // The transaction wrote nothing: ending it is only letting go, and a connection gone lets go as well.
            try
            {
                await transaction.RollbackAsync(CancellationToken.None);
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }
}

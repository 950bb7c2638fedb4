using BatchOrchestrator.Core.Leases;

namespace BatchOrchestrator.Persistence.Leases;

/// <summary>Lease rows in <c>orchestrator.lease</c>; the database clock decides expiry, so instances need not agree on time.</summary>
internal sealed class NpgsqlLeaseStore(NpgsqlDataSource dataSource) : ILeaseStore
{
    public async Task<Lease?> TryAcquireAsync(string name, string owner, TimeSpan ttl, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            insert into orchestrator.lease as l (name, owner, fencing_token, expires_at)
            values ($1, $2, 1, now() + $3)
            on conflict (name) do update
                set owner = excluded.owner, fencing_token = l.fencing_token + 1, expires_at = excluded.expires_at
                where l.expires_at < now()
            returning fencing_token
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = owner });
        command.Parameters.Add(Interval(ttl));
        var token = await command.ExecuteScalarAsync(cancellationToken);
        return token is long fencingToken ? new Lease(name, owner, fencingToken) : null;
    }

    public async Task<bool> RenewAsync(Lease lease, TimeSpan ttl, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            update orchestrator.lease set expires_at = now() + $4
            where name = $1 and owner = $2 and fencing_token = $3 and expires_at >= now()
            """);
        AddLease(command, lease);
        command.Parameters.Add(Interval(ttl));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task ReleaseAsync(Lease lease, CancellationToken cancellationToken)
    {
        // Expire rather than delete, so the fencing counter keeps growing.
        await using var command = dataSource.CreateCommand("""
            update orchestrator.lease set expires_at = '-infinity'
            where name = $1 and owner = $2 and fencing_token = $3
            """);
        AddLease(command, lease);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void AddLease(NpgsqlCommand command, Lease lease)
    {
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = lease.Name });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = lease.Owner });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = lease.FencingToken });
    }
}
